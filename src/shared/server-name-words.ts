// The words that name servers when SERVER_NAMES is not set (arbiter-alpha, arbiter-bravo…). A word's place in
// the list gives its server a stable proxy port, so the order matters. Config defaults to it; src/proxy/names.ts
// turns words into names.

export const DEFAULT_NAME_WORDS = [
  'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima', 'mike',
  'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango', 'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu',
];
