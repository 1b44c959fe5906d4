// The one POSIX shell quoting: for the command line ssh hands the remote shell, and for
// showing a command to a person. Safe words stay bare, everything else goes in single quotes.

/** Quotes one word for a POSIX shell. `#` is safe inside a word (a comment starts only a word). */
export function shQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./^-][A-Za-z0-9_@%+=:,./^#-]*$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
