/**
 * A strict JSON parser for safetensors headers. Unlike `JSON.parse` it rejects duplicate object keys and
 * lone surrogates, keeps each number's source text (so `1.0` and `1e3` can be refused where an integer is
 * required), builds objects as `Map`s (no prototype pollution through `"__proto__"`), bounds nesting depth
 * and reports every failure as a {@link SafetensorsError} with the character position.
 *
 * @module
 */
import { SafetensorsError } from './errors.js';

/** A JSON number with the text it was written as. */
export class JsonNumber {
  constructor(
    /** The number's source text, e.g. `"12"`, `"-0.5e3"`. */
    readonly text: string,
    /** `Number(text)`. */
    readonly value: number,
  ) {}

  /** Whether the text is a plain non-negative integer (`0` or `[1-9][0-9]*`, no sign, fraction or exponent). */
  isPlainNonNegativeInteger(): boolean {
    return /^(0|[1-9][0-9]*)$/.test(this.text);
  }
}

/** A parsed JSON value: objects are `Map`s in source order, numbers are {@link JsonNumber}s. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

const MAX_DEPTH = 64;

/**
 * Parses `text` as one JSON value followed only by whitespace.
 *
 * @throws {@link SafetensorsError} on any syntax error, duplicate key, lone surrogate or nesting deeper than 64
 */
export function parseStrictJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('unexpected trailing characters');
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SafetensorsError(`header JSON: ${what} at character ${this.pos}`);
  }

  skipWhitespace(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  parseValue(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.parseObject(depth);
    if (c === 0x5b) return this.parseArray(depth);
    if (c === 0x22) return this.parseString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (this.text.startsWith('true', this.pos)) {
      this.pos += 4;
      return true;
    }
    if (this.text.startsWith('false', this.pos)) {
      this.pos += 5;
      return false;
    }
    if (this.text.startsWith('null', this.pos)) {
      this.pos += 4;
      return null;
    }
    return this.fail(this.pos >= this.text.length ? 'unexpected end of input' : 'unexpected character');
  }

  private parseObject(depth: number): Map<string, JsonValue> {
    const result = new Map<string, JsonValue>();
    this.pos++; // {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a string key');
      const keyStart = this.pos;
      const key = this.parseString();
      if (result.has(key)) {
        this.pos = keyStart;
        this.fail(`duplicate key ${JSON.stringify(key)}`);
      }
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.skipWhitespace();
      result.set(key, this.parseValue(depth + 1));
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos);
      this.pos++;
      if (next === 0x7d) return result;
      if (next !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  private parseArray(depth: number): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++; // [
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      result.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos);
      this.pos++;
      if (next === 0x5d) return result;
      if (next !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  private parseNumber(): JsonNumber {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.text);
    if (found === null || found[0] === '-') this.fail('malformed number');
    const numberText = found[0];
    this.pos += numberText.length;
    return new JsonNumber(numberText, Number(numberText));
  }

  private parseString(): string {
    const text = this.text;
    this.pos++; // opening quote
    let result = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= text.length) this.fail('unterminated string');
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        result += text.slice(runStart, this.pos);
        this.pos++;
        return result;
      }
      if (c < 0x20) this.fail('unescaped control character in string');
      if (c >= 0xd800 && c <= 0xdfff) {
        // Raw surrogates only come from a decoded pair (the UTF-8 decoder never yields lone ones), but check.
        const next = text.charCodeAt(this.pos + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) this.fail('lone surrogate in string');
        this.pos += 2;
        continue;
      }
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      result += text.slice(runStart, this.pos);
      this.pos++;
      const escaped = text.charCodeAt(this.pos);
      this.pos++;
      switch (escaped) {
        case 0x22:
          result += '"';
          break;
        case 0x5c:
          result += '\\';
          break;
        case 0x2f:
          result += '/';
          break;
        case 0x62:
          result += '\b';
          break;
        case 0x66:
          result += '\f';
          break;
        case 0x6e:
          result += '\n';
          break;
        case 0x72:
          result += '\r';
          break;
        case 0x74:
          result += '\t';
          break;
        case 0x75: {
          const unit = this.readHex4();
          if (unit >= 0xdc00 && unit <= 0xdfff) this.fail('lone low surrogate escape in string');
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (text.charCodeAt(this.pos) !== 0x5c || text.charCodeAt(this.pos + 1) !== 0x75) {
              this.fail('lone high surrogate escape in string');
            }
            this.pos += 2;
            const low = this.readHex4();
            if (!(low >= 0xdc00 && low <= 0xdfff)) this.fail('lone high surrogate escape in string');
            result += String.fromCharCode(unit, low);
          } else {
            result += String.fromCharCode(unit);
          }
          break;
        }
        default:
          this.pos--;
          this.fail('invalid escape in string');
      }
      runStart = this.pos;
    }
  }

  private readHex4(): number {
    const hex = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
    this.pos += 4;
    return Number.parseInt(hex, 16);
  }
}
