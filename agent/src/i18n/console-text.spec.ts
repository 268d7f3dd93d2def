import { catalogueProblems } from '../../../contracts/i18n/catalogue-check';
import { LANGUAGES } from '../../../contracts/i18n/language';
import { AGENT_CATALOGUES, consoleLanguage, say, setConsoleLanguage } from './console-text';

describe('agent console catalogues', () => {
  afterEach(() => setConsoleLanguage('en'));

  it.each(LANGUAGES.filter((l) => l !== 'en'))(
    '%s has every English key, nothing else, and the same placeholders',
    (language) => {
      expect(catalogueProblems(AGENT_CATALOGUES.en, AGENT_CATALOGUES[language])).toEqual([]);
    },
  );

  it('keeps each dialog button’s Alt+letter mark, once', () => {
    for (const language of LANGUAGES) {
      for (const answer of ['allow', 'allow_session', 'view_only', 'deny'] as const) {
        const label = AGENT_CATALOGUES[language][`button.${answer}`];
        expect({ language, answer, marks: label.split('_').length - 1 }).toEqual({
          language,
          answer,
          marks: 1,
        });
        expect(label.replace('_', '')).toBe(AGENT_CATALOGUES[language][`answer.${answer}`]);
      }
    }
  });

  it('speaks English until told otherwise, then the chosen language', () => {
    expect(consoleLanguage()).toBe('en');
    expect(say('status.waiting')).toBe('Connected. Waiting for a technician.');
    setConsoleLanguage('fr');
    expect(say('status.waiting')).toBe('Connecté. En attente d’un technicien.');
  });
});
