/**
 * Text for the one-line error on stderr: line breaks folded into spaces (a script reads one
 * line per error), and other control characters shown as \u escapes. Messages quote what the
 * user typed (a stream id, a file name); raw, an ESC sequence in it would drive the terminal.
 */
export function oneLine(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
