import { describe, expect, it } from 'vitest';
import { sizeEntry, sizingSchema } from '../../core/risk/sizing';
import { BTCUSDT_FILTERS as F } from '../support/fixtures/market';

describe('sizeEntry', () => {
  it('fixed quote amount: 100 USDT at 30000 buys 0.003 BTC (0.00333.. floored to the 0.001 step)', () => {
    expect(
      sizeEntry({ mode: 'quote', amount: '100' }, { price: '30000', filters: F, freeQuote: '1000' }),
    ).toMatchObject({ ok: true, quantity: '0.003' });
  });

  it('fixed base quantity is floored to the step', () => {
    expect(
      sizeEntry({ mode: 'base', quantity: '0.0129' }, { price: '30000', filters: F, freeQuote: null }),
    ).toMatchObject({ ok: true, quantity: '0.012' });
  });

  it('percent of the free quote balance: 25% of 2000 = 500 USDT at 250 = 2 BTC', () => {
    expect(
      sizeEntry({ mode: 'percent', percent: '25' }, { price: '250', filters: F, freeQuote: '2000' }),
    ).toMatchObject({ ok: true, quantity: '2' });
  });

  it('percent sizing needs a known balance', () => {
    const r = sizeEntry({ mode: 'percent', percent: '25' }, { price: '250', filters: F, freeQuote: null });
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/free balance unknown/) });
  });

  it('ATR sizing: risk 60 USDT over 2 ATR of 100 = 0.3 BTC; capped by maxAmount', () => {
    const sizing = sizingSchema.parse({ mode: 'atr', risk: '60' });
    expect(sizeEntry(sizing, { price: '30000', filters: F, freeQuote: null, atr: 100 })).toMatchObject({
      ok: true,
      quantity: '0.3',
    });
    const capped = sizingSchema.parse({ mode: 'atr', risk: '60', maxAmount: '3000' });
    expect(sizeEntry(capped, { price: '30000', filters: F, freeQuote: null, atr: 100 })).toMatchObject({
      ok: true,
      quantity: '0.1',
      why: expect.stringMatching(/capped/),
    });
  });

  it('ATR sizing waits for the indicator to warm up', () => {
    expect(
      sizeEntry(
        { mode: 'atr', risk: '60', multiplier: '2', period: 14 },
        { price: '30000', filters: F, freeQuote: null, atr: null },
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/ATR not available/) });
  });

  it('refuses an entry below the minimum quantity with the figures', () => {
    const r = sizeEntry({ mode: 'quote', amount: '20' }, { price: '30000', filters: F, freeQuote: null });
    expect(r).toEqual({ ok: false, reason: '20 quote at 30000: quantity 0 is below the minimum 0.001' });
  });

  it('refuses an entry below the minimum notional', () => {
    const r = sizeEntry({ mode: 'base', quantity: '0.001' }, { price: '4000', filters: F, freeQuote: null });
    expect(r).toEqual({ ok: false, reason: 'fixed quantity 0.001: order value 4 is below the minimum notional 5' });
  });

  it('refuses an entry the free balance cannot pay for', () => {
    expect(sizeEntry({ mode: 'quote', amount: '100' }, { price: '30000', filters: F, freeQuote: '99' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^insufficient balance/),
    });
    expect(
      sizeEntry({ mode: 'base', quantity: '1' }, { price: '30000', filters: F, freeQuote: '29999.99' }),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/^insufficient balance/) });
  });

  it('works without filters (no rounding)', () => {
    expect(sizeEntry({ mode: 'quote', amount: '10' }, { price: '3', filters: null, freeQuote: null })).toMatchObject({
      ok: true,
      quantity: '3.333333333333',
    });
  });

  it('the schema refuses unknown modes and floats', () => {
    expect(sizingSchema.safeParse({ mode: 'kelly' }).success).toBe(false);
    expect(sizingSchema.safeParse({ mode: 'quote', amount: 100 }).success).toBe(false);
    expect(sizingSchema.safeParse({ mode: 'quote', amount: '100', extra: 1 }).success).toBe(false);
  });
});
