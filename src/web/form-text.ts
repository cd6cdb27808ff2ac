/**
 * A form field's text as the person typed it: browsers send a textarea's line breaks as CRLF (HTML's form encoding,
 * urlencoded and multipart alike), while what was typed, and what API clients send, are plain line breaks.
 */
export function typedText(value: string): string {
  return value.replace(/\r\n?/g, '\n');
}
