import { describe, expect, it } from 'vitest';
import { webPortFor } from '../../src/shared/gameserver-ports.js';

describe('webPortFor (web port = game port + 80)', () => {
  it.each([
    { name: "Cerveau's defaults", game: 3000, want: 3080 },
    { name: 'a shifted port', game: 4100, want: 4180 },
    { name: 'near the top of the range', game: 65500, want: 65535 },
  ])('$name', ({ game, want }) => {
    expect(webPortFor(game)).toBe(want);
  });
});
