import { describe, expect, it } from 'vitest';
import { objectiveChart } from './chart';
import { formatLeaderboard, leaderboard, leaderboardCsv, leaderboardJson } from './leaderboard';
import { type TrialRecord, pendingRecord } from './trial-record';

function trial(index: number, status: TrialRecord['status'], value: number | null, lr: number): TrialRecord {
  return { ...pendingRecord(`t00${index}`, index, { lr, opt: 'adam' }), status, value, history: value === null ? [] : [value] };
}

const trials = [trial(0, 'done', 2.3, 0.1), trial(1, 'done', 1.9, 0.01), trial(2, 'pruned', 1.5, 0.001), trial(3, 'pending', null, 0.0001), trial(4, 'failed', null, 1)];

describe('leaderboard', () => {
  it('ranks by the objective; the best is the best completed trial', () => {
    const board = leaderboard({ objective: 'val_loss', mode: 'min' }, trials);
    expect(board.rows.map((r) => `${r.rank}:${r.id}`)).toEqual(['1:t002', '2:t001', '3:t000', 'null:t004', 'null:t003']);
    expect(board.best).toBe('t001');
    const max = leaderboard({ objective: 'val_loss', mode: 'max' }, trials);
    expect(max.rows[0].id).toBe('t000');
    expect(max.best).toBe('t000');
  });

  it('prints a table, a CSV and the JSON `sweep status --json` prints', () => {
    const board = leaderboard({ objective: 'val_loss', mode: 'min' }, trials);
    const table = formatLeaderboard(board).split('\n');
    expect(table[0]).toMatch(/^ {2}rank +trial +status +lr +opt +val_loss +epochs$/);
    expect(table[2]).toMatch(/^\* 2 +t001 +done +0\.01 +adam +1\.9 +1$/);
    expect(leaderboardCsv(board).split('\n').slice(0, 2)).toEqual(['rank,trial,status,lr,opt,val_loss,epochs,attempts', '1,t002,pruned,0.001,adam,1.5,1,0']);
    const json = leaderboardJson(board, trials) as { trials: Record<string, unknown>[] };
    expect(json.trials[1]).toMatchObject({ id: 't001', params: { lr: 0.01, opt: 'adam' }, status: 'done', val_loss: 1.9, value: 1.9 });
  });

  it('draws the objective against each parameter', () => {
    const svg = objectiveChart(leaderboard({ objective: 'val_loss', mode: 'min' }, trials));
    expect(svg).toContain('val_loss vs lr (log)');
    expect(svg).toContain('val_loss vs opt');
    expect(svg.match(/<circle /g)).toHaveLength(6);
  });
});
