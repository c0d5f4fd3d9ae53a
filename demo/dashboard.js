// The dashboard's own behaviour, in plain JavaScript (no build): period switches for the charts
// and the light/dark/auto theme toggle. The widgets need none of this to work.

const PERIODS = ['1h', '24h', '7d', '30d', '90d', '1y', 'all'];
const THEMES = ['auto', 'light', 'dark'];
const LIVE_TAGS = 'live-indicator, live-price-chart, league-standings, rss-feed, service-status';

/** Fills every `.segmented[data-chart]` group with one button per period, wired to its chart. */
function setUpPeriodSwitches() {
  for (const group of document.querySelectorAll('.segmented[data-chart]')) {
    const chart = document.getElementById(group.dataset.chart);
    if (!chart) continue;
    for (const period of PERIODS) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = period;
      button.dataset.period = period;
      button.setAttribute('aria-pressed', String(chart.getAttribute('period') === period));
      button.addEventListener('click', () => {
        chart.setAttribute('period', period);
        for (const b of group.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
      });
      group.append(button);
    }
  }
}

/** Applies a theme to the page and to every element (they take a `theme` attribute). */
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  for (const el of document.querySelectorAll(LIVE_TAGS)) el.setAttribute('theme', theme);
  const toggle = document.getElementById('theme-toggle');
  if (toggle) toggle.textContent = `Theme: ${theme}`;
}

function setUpThemeToggle() {
  // ?theme=dark wins (links, screenshots), then the visitor's last choice.
  const asked = new URLSearchParams(location.search).get('theme');
  let stored = null;
  try { stored = localStorage.getItem('live-elements-demo-theme'); } catch { /* storage may be off */ }
  let theme = THEMES.includes(asked) ? asked : THEMES.includes(stored) ? stored : 'auto';
  applyTheme(theme);
  document.getElementById('theme-toggle')?.addEventListener('click', () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    try { localStorage.setItem('live-elements-demo-theme', theme); } catch { /* storage may be off */ }
    applyTheme(theme);
  });
}

setUpPeriodSwitches();
setUpThemeToggle();
