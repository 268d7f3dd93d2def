import { catalogueProblems } from '../catalogue-check';
import { LANGUAGES } from '../language';
import { CONNECT_CATALOGUES } from './index';

describe('connect page catalogues', () => {
  it.each(LANGUAGES.filter((l) => l !== 'en'))(
    '%s has every English key, nothing else, and the same placeholders',
    (language) => {
      expect(catalogueProblems(CONNECT_CATALOGUES.en, CONNECT_CATALOGUES[language])).toEqual([]);
    },
  );

  it('translates the words a customer reads (no English left over in another language)', () => {
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      const same = Object.keys(CONNECT_CATALOGUES.en).filter((key) => {
        const k = key as keyof typeof CONNECT_CATALOGUES.en;
        return CONNECT_CATALOGUES[language][k] === CONNECT_CATALOGUES.en[k];
      });
      // Only words that are the same in that language may match ("Status:", French "Messages", …).
      expect({ language, same: same.filter((k) => !['status.label', 'chat.list'].includes(k)) }).toEqual({
        language,
        same: [],
      });
    }
  });
});
