// The dashboard's own behaviour, in plain JavaScript (no build): period switches for the charts
// and the light/dark/auto theme toggle. The widgets need none of this to work.

const THEMES = ['auto', 'light', 'dark'];
const LIVE_TAGS = 'live-indicator, live-price-chart, league-standings, rss-feed, service-status, live-ticker';

/**
 * Wires the period buttons of every `.segmented[data-chart]` group to its chart. The buttons are
 * in the HTML, so the header has its final size at first paint (nothing moves when this runs).
 */
function setUpPeriodSwitches() {
  for (const group of document.querySelectorAll('.segmented[data-chart]')) {
    const chart = document.getElementById(group.dataset.chart);
    if (!chart) continue;
    for (const button of group.querySelectorAll('button[data-period]')) {
      const period = button.dataset.period;
      button.setAttribute('aria-pressed', String(chart.getAttribute('period') === period));
      button.addEventListener('click', () => {
        chart.setAttribute('period', period);
        for (const b of group.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
      });
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
