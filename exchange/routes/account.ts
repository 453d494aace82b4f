/** GET /api/v3/account: balances (optionally without zeros), commission rates and permissions. */
import { type Dec, d, fixed } from '../../core/decimal';
import type { Venue } from '../../venue';
import { balanceJson } from '../format';
import { type AddRoute, fixedWeight, paramReaders } from './common';

export interface AccountDeps {
  readonly venue: Venue;
  readonly fees: { readonly maker: Dec; readonly taker: Dec };
}

export function addAccountRoutes(add: AddRoute, deps: AccountDeps): void {
  const { venue } = deps;
  const { done } = paramReaders(venue);

  add({
    method: 'GET',
    path: '/api/v3/account',
    signed: true,
    weight: fixedWeight(20),
    handler: ({ params, accountId, time }) => {
      const omitZero = params.str('omitZeroBalances') === 'true';
      done(params, true);
      const id = accountId as string;
      const balances = venue.balances(id).filter((b) => !omitZero || !d(b.free).isZero() || !d(b.locked).isZero());
      const rate = (r: Dec) => fixed(r, 8);
      return {
        body: {
          makerCommission: d(deps.fees.maker).times(10_000).round().toNumber(),
          takerCommission: d(deps.fees.taker).times(10_000).round().toNumber(),
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: {
            maker: rate(deps.fees.maker),
            taker: rate(deps.fees.taker),
            buyer: rate('0'),
            seller: rate('0'),
          },
          canTrade: true,
          canWithdraw: true,
          canDeposit: true,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: time,
          accountType: 'SPOT',
          balances: balances.map(balanceJson),
          permissions: ['SPOT'],
          uid: 1,
        },
      };
    },
  });
}
