/**
 * Client order ids unique by construction: twins, thousands of bots started in one second, every
 * incarnation and every branch of a bot's history get distinct ids in Binance's charset; ownership
 * is exact, never a prefix; Temporal's reset seed is recognised (SipHash-1-3 of the run id, values
 * seen on a real dev server).
 */
import { describe, expect, it } from 'vitest';
import { isForeignLineageId, recordMint } from '../../core/adoption';
import {
  BINANCE_CLIENT_ID,
  branchToken,
  lineageTag,
  mintClientOrderId,
  nameKeyOf,
  parseClientOrderId,
  tagOf,
} from '../../core/client-ids';
import { seedKeyOfRun } from '../../workflows/reset-detection';

const src = (name: string, run = 'run-1') => ({
  name,
  namespace: 'default',
  workflowId: `bot-${name}`,
  firstExecutionRunId: run,
});

describe('client order ids', () => {
  it('twins with the same first 12 letters, started in the same second, get different tags', () => {
    const one = lineageTag(src('dca-ethusdt-fast-one', '01a230f0-280f-71a4-93a8-0b9681aa9b7c'));
    const two = lineageTag(src('dca-ethusdt-fast-two', '01a230f0-280f-71a4-93a8-0b9681aa9b7d'));
    expect(one).not.toBe(two);
    expect(one.startsWith('dcaethus_')).toBe(true); // readable prefix
  });

  it('10,000 bots: every tag distinct, every id in the charset and at most 36 (here 30) characters', () => {
    const tags = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const tag = lineageTag(src(`grid-bot-number-${i}`, `${i}-${i * 7}`));
      tags.add(tag);
      const id = mintClientOrderId(tag, branchToken(`seed-${i}`), 2_000_000_000);
      expect(id.length).toBeLessThanOrEqual(30);
      expect(id).toMatch(BINANCE_CLIENT_ID);
    }
    expect(tags.size).toBe(10_000);
  });

  it('a new incarnation of the same workflow id keeps its name key and changes its tag', () => {
    const a = lineageTag(src('reborn', 'first-run'));
    const b = lineageTag(src('reborn', 'second-run'));
    expect(a).not.toBe(b);
    expect(nameKeyOf(a)).toBe(nameKeyOf(b));
    expect(nameKeyOf(lineageTag(src('reborn2', 'first-run')))).not.toBe(nameKeyOf(a));
  });

  it('parses back exactly and owns by exact tag, never by prefix', () => {
    const tag = lineageTag(src('x'));
    const id = mintClientOrderId(tag, 'AbCdE', 35);
    expect(parseClientOrderId(id)).toEqual({ tag, nameKey: nameKeyOf(tag), branch: 'AbCdE', seq: 35 });
    expect(tagOf(id)).toBe(tag);
    expect(parseClientOrderId(`${tag}x-AbCdEz`)).toBeNull();
  });

  it('tells its own ids from a discarded branch, from pruned own ids, and from somebody using its current branch', () => {
    const tag = lineageTag(src('r'));
    let ranges = recordMint(undefined, 'BBBBB', 1);
    ranges = recordMint(ranges, 'BBBBB', 2);
    ranges = recordMint(ranges, 'CCCCC', 3); // a reset moved the bot to branch CCCCC at seq 3
    expect(ranges).toEqual([
      { branch: 'BBBBB', from: 1, to: 3 },
      { branch: 'CCCCC', from: 3, to: 4 },
    ]);
    expect(isForeignLineageId(tag, 'CCCCC', ranges, 4, mintClientOrderId(tag, 'BBBBB', 2))).toBe(false); // own
    expect(isForeignLineageId(tag, 'CCCCC', ranges, 4, mintClientOrderId(tag, 'BBBBB', 3))).toBe(true); // the discarded branch's 3rd
    expect(isForeignLineageId(tag, 'CCCCC', ranges, 4, mintClientOrderId(tag, 'CCCCC', 9))).toBe(false); // not a discarded branch
    expect(isForeignLineageId(tag, 'CCCCC', ranges, 4, mintClientOrderId(lineageTag(src('other')), 'BBBBB', 3))).toBe(
      false,
    ); // not the lineage
  });
});

describe("Temporal's random seed per run", () => {
  it('is SipHash-1-3 of the run id, as the dev server gave it', () => {
    expect(seedKeyOfRun('01a230f0-280f-71a4-93a8-0b9681aa9b7c')).toBe('196,190,7,33,115,187,243,232');
    expect(seedKeyOfRun('224c4c68-9d11-4263-b97c-2b419c2e3d4f')).toBe('165,189,136,139,130,42,51,228');
    expect(seedKeyOfRun('9750aa34-ad00-4702-9406-79751ef9df46')).toBe('134,142,107,70,40,165,150,133');
  });
});
