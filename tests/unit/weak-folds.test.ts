// Label issues says when its fold models are too weak for the ranking to point at labels: the same words in the
// view and the CLI, with the accuracy, the level and why that level.
import { describe, expect, it } from 'vitest';
import { FOLD_ACCURACY_FLOOR, weakFoldsNote } from '../../src/shared/labels.js';

describe('weakFoldsNote', () => {
  it('warns below the floor, naming the accuracy, the share flagged and what to do', () => {
    expect(FOLD_ACCURACY_FLOOR).toBe(0.95);
    const note = weakFoldsNote(0.72, 550, 3000)!;
    expect(note).toContain('72.0% accurate on the digits they held out, below 95.0%');
    expect(note).toContain('misread about 28.0% of the digits themselves');
    expect(note).toContain('well under 1% of a digit set');
    expect(note).toContain('550 flagged rows (18.3%)');
    expect(note).toContain('Train the folds longer');
    expect(weakFoldsNote(0.97, 20, 3000)).toBeNull();
    expect(weakFoldsNote(null, 0, 3000)).toBeNull();
  });
});
