/**
 * Incremental indicators for strategies: each module has a constructor (`ema(20)`) and a pure
 * `next*` function returning the new JSON state, whose `value` is null until the indicator is warm.
 * Floats: indicator math only; prices that become orders go through `fromFloat` and the filters.
 *
 * technicalindicators' own classes keep their state in generators, which cannot be stored in a
 * strategy's JSON state nor carried across continue-as-new; the tests check these modules against it.
 */
export * from './atr';
export * from './ema';
export * from './extremes';
export * from './rsi';
export * from './sma';
