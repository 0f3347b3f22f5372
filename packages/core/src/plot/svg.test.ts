import { describe, expect, it } from 'vitest';
import { barChartSvg, escapeXml, linePlotSvg } from './svg.js';

describe('svg charts', () => {
  it('escapes text', () => {
    expect(escapeXml(`<a & "b" 'c'>`)).toBe('&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
  });

  it('bar chart scales bars to the largest value and escapes labels', () => {
    const svg = barChartSvg({
      title: 't<1>',
      bars: [
        { label: 'a&b', value: 10 },
        { label: 'c', value: 5 },
      ],
      unit: 'ms',
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('t&lt;1&gt;');
    expect(svg).toContain('a&amp;b');
    const widths = [...svg.matchAll(/<rect x="220" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]! / widths[1]!).toBeCloseTo(2, 5);
  });

  it('line plot maps the extremes to the plot corners and drops non-positive values on log axes', () => {
    const svg = linePlotSvg({
      title: 'p',
      series: [{ name: 's', x: [1, 10, 100, -1], y: [1, 100, 10000, 5] }],
      logX: true,
      logY: true,
    });
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(circles).toHaveLength(3);
    // log-log line of slope 2 through the box corners: left-bottom, middle, right-top.
    expect(circles[0]).toEqual([70, 350]);
    expect(circles[2]).toEqual([490, 36]);
    expect(circles[1]![0]).toBeCloseTo(280, 1);
    expect(circles[1]![1]).toBeCloseTo(193, 1);
  });
});
