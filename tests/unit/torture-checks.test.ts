/**
 * The torture's sell-versus-holdings checks (scripts/torture-checks.ts): an earlier incarnation's
 * orders left resting are judged against what that incarnation's own fills left it, never against
 * the new run's position; a running bot that sold a lot twice is named as such.
 */
import { describe, expect, it } from 'vitest';
import { type VenueRecord, incarnationOvercommitments, overcommitmentProblem } from '../../scripts/torture-checks';
import type { BotStateView } from '../../workflows/messages';

const OLD = 'torturet_3vfflEzdC';
const NEW = 'torturet_3vfflPkXT';
const buy = (clientOrderId: string, qty: string) => ({
  accountId: 'paper',
  clientOrderId,
  symbol: 'BTCUSDT',
  side: 'BUY',
  qty,
  commission: '0.000002',
  commissionAsset: 'BTC',
});
const sell = (clientOrderId: string, qty: string) => ({
  accountId: 'paper',
  clientOrderId,
  symbol: 'BTCUSDT',
  side: 'SELL',
  qty,
  commission: '0.06',
  commissionAsset: 'USDT',
});
const resting = (clientOrderId: string, origQty: string) => ({
  clientOrderId,
  symbol: 'BTCUSDT',
  side: 'SELL',
  origQty,
  executedQty: '0',
});

function venue(open: ReturnType<typeof resting>[], fills: Array<ReturnType<typeof buy>>): VenueRecord {
  return { openOrders: () => open, allFills: () => fills };
}

describe('torture checks of sells against holdings', () => {
  it("an earlier incarnation's resting take-profit for the lot it bought is fine, whatever the new run holds", () => {
    const v = venue(
      [resting(`${OLD}-OD9Qph`, '0.00199')],
      [buy(`${OLD}-OD9Qp1`, '0.002'), buy(`${NEW}-Xf5R41`, '0.002'), sell(`${NEW}-Xf5R43`, '0.00199')],
    );
    expect(incarnationOvercommitments(v, 'paper', new Set([NEW]))).toEqual([]);
  });

  it("an earlier incarnation's resting sells beyond what its fills left it are reported", () => {
    const v = venue(
      [resting(`${OLD}-OD9Qph`, '0.00199'), resting(`${OLD}-OD9Qpi`, '0.00199')],
      [buy(`${OLD}-OD9Qp1`, '0.002')],
    );
    expect(incarnationOvercommitments(v, 'paper', new Set([NEW]))).toEqual([
      `earlier incarnation ${OLD} BTCUSDT: orders it left resting sell 0.00398, its fills left it 0.001998 (over by 0.001982)`,
    ]);
  });

  it("a running bot's orders are judged on its own state, not here", () => {
    const v = venue([resting(`${NEW}-yp2Yt7`, '0.00199'), resting(`${NEW}-Xf5R47`, '0.00199')], []);
    expect(incarnationOvercommitments(v, 'paper', new Set([NEW]))).toEqual([]);
  });

  it('a running bot with a negative position is said to have sold more than it bought', () => {
    const s = {
      name: 'torture-twin-bot-a',
      symbol: 'BTCUSDT',
      openOrders: [],
      position: { qty: '-0.001966' },
    } as unknown as BotStateView;
    expect(overcommitmentProblem(s)).toBe(
      'torture-twin-bot-a: sold more than it bought (position -0.001966); resting sells exceed the position by 0.001966',
    );
    expect(overcommitmentProblem({ ...s, position: { ...s.position, qty: '0' } })).toBeNull();
  });
});
