import { diffObjects, printObject } from './activity-diff';

const before = { name: 'pegel', title: 'Pegel', notes: 'a', tags: ['x'] };
const after = { title: 'Pegelstände', name: 'pegel', notes: 'a', tags: ['x', 'y'] };

describe('activity_diff texts', () => {
  it('prints objects as CKAN does: sorted keys, two-space indent', () => {
    expect(printObject({ b: 1, a: { d: 2, c: 3 } })).toBe('{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}');
  });

  it('gives a unified diff of the changed lines', () => {
    const d = diffObjects(before, after, 'unified');
    expect(d.split('\n').slice(0, 2)).toEqual(['--- ', '+++ ']);
    expect(d).toContain('-  "title": "Pegel"');
    expect(d).toContain('+  "title": "Pegelstände"');
    expect(d).toContain('+    "y"');
    expect(d).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
  });

  it('gives a context diff with ! for changed lines and + for added ones', () => {
    const d = diffObjects(before, after, 'context');
    expect(d.split('\n').slice(0, 3)).toEqual(['*** ', '--- ', '***************']);
    expect(d).toContain('!   "title": "Pegel"\n');
    expect(d).toContain('!   "title": "Pegelstände"');
    expect(d).toMatch(/^\*\*\* \d+,\d+ \*\*\*\*$/m);
  });

  it('gives an html table with escaped text', () => {
    const d = diffObjects({ notes: '<b>' }, { notes: '<i>' }, 'html');
    expect(d).toMatch(/^<table class="diff"/);
    expect(d).toContain('&lt;b&gt;');
    expect(d).toContain('class="diff_chg"');
    expect(d).not.toContain('<b>');
  });

  it('is empty when nothing changed', () => {
    expect(diffObjects(before, { ...before }, 'unified')).toBe('');
  });
});
