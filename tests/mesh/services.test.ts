import { describe, expect, test } from 'bun:test';
import { MESH_DEFAULTS } from '../../orchestrator/config.ts';
import { gossipsubOptions } from '../../orchestrator/mesh/services.ts';

describe('gossipsubOptions', () => {
  test('defaults: StrictNoSign, D=3 bounds, IDONTWANT off (no message is large enough)', () => {
    const o = gossipsubOptions();
    expect(MESH_DEFAULTS.idontwant).toBe(false);
    expect(o.globalSignaturePolicy).toBe('StrictNoSign');
    expect([o.D, o.Dlo, o.Dhi, o.Dout]).toEqual([3, 2, 6, 1]);
    expect(o.idontwantMinDataSize).toBe(Number.MAX_SAFE_INTEGER);
    expect(o.heartbeatInterval).toBeUndefined();
  });

  test('idontwant: true leaves GossipSub its own threshold', () => {
    const o = gossipsubOptions({
      idontwant: true,
      meshDegree: 6,
      heartbeatMs: 700,
      signaturePolicy: 'StrictSign',
    });
    expect('idontwantMinDataSize' in o).toBe(false);
    expect([o.D, o.Dlo, o.Dhi, o.Dout]).toEqual([6, 4, 12, 2]);
    expect(o.heartbeatInterval).toBe(700);
    expect(o.globalSignaturePolicy).toBe('StrictSign');
  });
});
