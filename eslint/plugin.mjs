// @ts-check
import boundaries from './boundaries.mjs';
import moduleSurface from './module-surface.mjs';

/** The project's own lint rules, used as `local/<rule>` in eslint.config.mjs. */
export default { rules: { boundaries, 'module-surface': moduleSurface } };
