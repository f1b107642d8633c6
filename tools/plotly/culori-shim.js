// plotly.js asks for five functions of culori; its own TODO is to import them from
// `culori/fn` so the rest of the library can be left out. The CSS colour modes are all
// registered (what culori's default export registers for parsing CSS colours).
import 'culori/css';
export { converter, formatHex, formatRgb, wcagContrast, wcagLuminance } from 'culori/fn';
