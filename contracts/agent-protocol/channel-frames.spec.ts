import { parseShellFrame } from './channel-frames';

describe('agent protocol validators: relay channel frames', () => {
  it('checks shell frames', () => {
    expect(parseShellFrame('{"type":"resize","cols":0,"rows":10}').ok).toBe(false);
    expect(parseShellFrame('{"type":"resize","cols":80,"rows":24}')).toEqual({
      ok: true,
      value: { type: 'resize', cols: 80, rows: 24 },
    });
  });
});
