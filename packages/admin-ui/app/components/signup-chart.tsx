import { formatNumber } from '../lib/format';
import type { SignupDay } from '../lib/types';

const WIDTH = 600;
const HEIGHT = 160;

/** Daily signups as SVG bars (no chart library), with the figures in a table for readers. */
export function SignupChart({ days }: { days: SignupDay[] }) {
  const max = Math.max(1, ...days.map((day) => day.count));
  const total = days.reduce((sum, day) => sum + day.count, 0);
  const step = WIDTH / Math.max(1, days.length);
  const summary = `${formatNumber(total)} signups in ${days.length} days, at most ${formatNumber(max)} in one day`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} class="chart-axis" />
        {days.map((day, index) => {
          const height = (day.count / max) * (HEIGHT - 10);
          return (
            <rect
              key={day.date}
              class="chart-bar"
              x={index * step + step * 0.1}
              y={HEIGHT - height}
              width={Math.max(1, step * 0.8)}
              height={height}
            >
              <title>{`${day.date}: ${day.count}`}</title>
            </rect>
          );
        })}
      </svg>
      {/* Outside the stretched SVG, so the dates keep their shape at any width. */}
      <div class="chart-dates" aria-hidden="true">
        <span>{days[0]?.date ?? ''}</span>
        <span>{days[days.length - 1]?.date ?? ''}</span>
      </div>
      <figcaption>{summary}.</figcaption>
      <details>
        <summary>Show the figures</summary>
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Signups</th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.date}>
                <td>{day.date}</td>
                <td>{day.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
