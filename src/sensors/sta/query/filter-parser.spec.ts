import type { Expr } from './ast';
import { FUNCTION_ARITY } from './ast';
import { StaQueryError } from './errors';
import { parseFilter, parseOrderBy } from './filter-parser';

/** The tree as a compact S-expression, so precedence reads at a glance. */
function show(e: Expr): string {
  switch (e.type) {
    case 'literal': {
      const l = e.literal;
      switch (l.kind) {
        case 'string':
          return `'${l.value}'`;
        case 'number':
          return String(l.value);
        case 'boolean':
          return String(l.value);
        case 'null':
          return 'null';
        case 'interval':
          return `${l.start}/${l.end}`;
        case 'geometry':
          return `geo:${l.value.type}`;
        default:
          return `${l.kind}:${l.value}`;
      }
    }
    case 'path':
      return e.segments.join('/');
    case 'compare':
    case 'arith':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'and':
    case 'or':
      return `(${e.type} ${show(e.left)} ${show(e.right)})`;
    case 'not':
      return `(not ${show(e.operand)})`;
    case 'neg':
      return `(- ${show(e.operand)})`;
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')})`;
  }
}

const p = (text: string): string => show(parseFilter(text));

function errorOf(text: string): StaQueryError {
  try {
    parseFilter(text);
  } catch (e) {
    if (e instanceof StaQueryError) return e;
    throw e;
  }
  throw new Error(`parsed without error: ${text}`);
}

describe('$filter parser', () => {
  describe('operators', () => {
    it.each(['eq', 'ne', 'gt', 'ge', 'lt', 'le'])('reads the comparison %s', (op) => {
      expect(p(`result ${op} 5`)).toBe(`(${op} result 5)`);
    });
    it.each(['add', 'sub', 'mul', 'div', 'mod'])('reads the arithmetic operator %s', (op) => {
      expect(p(`result ${op} 2 eq 4`)).toBe(`(eq (${op} result 2) 4)`);
    });
    it('reads and, or and not', () => {
      expect(p("name eq 'a' and not description eq 'b' or id eq 1")).toBe("(or (and (eq name 'a') (not (eq description 'b'))) (eq id 1))");
    });
    it('reads keywords in any case, as FROST does', () => {
      expect(p("name EQ 'a' AND result Gt 2")).toBe("(and (eq name 'a') (gt result 2))");
    });
  });

  describe('precedence', () => {
    it('binds mul tighter than add, and both tighter than comparisons', () => {
      expect(p('result add 2 mul 3 gt 7')).toBe('(gt (add result (mul 2 3)) 7)');
    });
    it('evaluates add and sub left to right', () => {
      expect(p('result sub 2 add 3 eq 1')).toBe('(eq (add (sub result 2) 3) 1)');
    });
    it('evaluates div and mod left to right', () => {
      expect(p('result div 2 mod 3 eq 1')).toBe('(eq (mod (div result 2) 3) 1)');
    });
    it('binds and tighter than or', () => {
      expect(p('id eq 1 or id eq 2 and id eq 3')).toBe('(or (eq id 1) (and (eq id 2) (eq id 3)))');
    });
    it('lets parentheses override precedence', () => {
      expect(p('(id eq 1 or id eq 2) and id eq 3')).toBe('(and (or (eq id 1) (eq id 2)) (eq id 3))');
      expect(p('(result add 2) mul 3 gt 7')).toBe('(gt (mul (add result 2) 3) 7)');
    });
    it('applies not to the comparison after it, and nests', () => {
      expect(p('not not id eq 1')).toBe('(not (not (eq id 1)))');
      expect(p('not (id eq 1 or id eq 2)')).toBe('(not (or (eq id 1) (eq id 2)))');
    });
  });

  describe('literals', () => {
    it('reads strings with doubled quotes as one quote', () => {
      const e = parseFilter("name eq 'O''Brien''s gauge'");
      expect(e).toMatchObject({ right: { literal: { kind: 'string', value: "O'Brien's gauge" } } });
    });
    it('reads the empty string', () => {
      expect(parseFilter("name eq ''")).toMatchObject({ right: { literal: { kind: 'string', value: '' } } });
    });
    it('reads integers, negative numbers, decimals and exponents', () => {
      expect(parseFilter('result eq 42')).toMatchObject({ right: { literal: { kind: 'number', value: 42, integer: true } } });
      expect(parseFilter('result eq -7')).toMatchObject({ right: { literal: { kind: 'number', value: -7, integer: true } } });
      expect(parseFilter('result eq 3.25')).toMatchObject({ right: { literal: { kind: 'number', value: 3.25, integer: false } } });
      expect(parseFilter('result eq 1.5E3')).toMatchObject({ right: { literal: { kind: 'number', value: 1500, integer: false } } });
    });
    it('reads booleans and null', () => {
      expect(p('properties/active eq true')).toBe('(eq properties/active true)');
      expect(p('properties/active ne false')).toBe('(ne properties/active false)');
      expect(p('resultTime eq null')).toBe('(eq resultTime null)');
    });
    it('reads datetimes with Z or an offset and keeps the offset', () => {
      expect(parseFilter('phenomenonTime lt 2015-03-02T00:00:00.000Z')).toMatchObject({ right: { literal: { kind: 'datetime', value: '2015-03-02T00:00:00.000Z', offsetMinutes: 0 } } });
      expect(parseFilter('phenomenonTime gt 2026-03-29T03:15:00+02:00')).toMatchObject({ right: { literal: { kind: 'datetime', offsetMinutes: 120 } } });
      expect(parseFilter('phenomenonTime gt 2026-01-01T00:00-05:30')).toMatchObject({ right: { literal: { kind: 'datetime', offsetMinutes: -330 } } });
    });
    it('reads a time interval literal', () => {
      expect(p('phenomenonTime eq 2015-03-01T00:00:00Z/2015-03-02T00:00:00Z')).toBe('(eq phenomenonTime 2015-03-01T00:00:00Z/2015-03-02T00:00:00Z)');
    });
    it('reads dates and times of day', () => {
      expect(p('date(phenomenonTime) eq 2015-03-02')).toBe('(eq date(phenomenonTime) date:2015-03-02)');
      expect(p('time(phenomenonTime) ge 12:30:00')).toBe('(ge time(phenomenonTime) time:12:30:00)');
    });
    it('reads durations, signed or not', () => {
      expect(p("phenomenonTime gt now() sub duration'P1D'")).toBe('(gt phenomenonTime (sub now() duration:P1D))');
      expect(p("phenomenonTime gt now() add duration'-PT1H30M'")).toBe('(gt phenomenonTime (add now() duration:-PT1H30M))');
      expect(p("phenomenonTime gt now() sub duration'P1Y2M3W4DT5H6M7.5S'")).toContain('duration:P1Y2M3W4DT5H6M7.5S');
    });
    it('reads geography and geometry literals as GeoJSON', () => {
      expect(parseFilter("st_within(location, geography'POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))')")).toMatchObject({
        args: [{ segments: ['location'] }, { literal: { kind: 'geometry', value: { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] } } }],
      });
      expect(parseFilter("st_equals(location, geometry'POINT(8.1 49.9)')")).toMatchObject({ args: [{}, { literal: { value: { type: 'Point', coordinates: [8.1, 49.9] } } }] });
      expect(p("geo.intersects(location, geography'LINESTRING(7.5 51.5, 7.6 51.6)')")).toBe('geo.intersects(location, geo:LineString)');
    });
  });

  describe('property paths', () => {
    it('reads paths through navigation and into JSON properties', () => {
      expect(p("Datastream/Thing/name eq 'Gauge'")).toBe("(eq Datastream/Thing/name 'Gauge')");
      expect(p("Thing/properties/owner eq 'City'")).toBe("(eq Thing/properties/owner 'City')");
      expect(p('properties/list[0] eq 3')).toBe('(eq properties/list/[0] 3)');
    });
    it('reads @iot.id as a property name', () => {
      expect(p('@iot.id eq 7')).toBe('(eq @iot.id 7)');
    });
  });

  describe('functions', () => {
    const cases: [string, string][] = [
      ["substringof('Gauge', name)", "substringof('Gauge', name)"],
      ["endswith(name, 'Rhein')", "endswith(name, 'Rhein')"],
      ["startswith(name, 'Pegel')", "startswith(name, 'Pegel')"],
      ['length(name) eq 5', '(eq length(name) 5)'],
      ["indexof(name, 'el') eq 2", "(eq indexof(name, 'el') 2)"],
      ["substring(name, 1) eq 'egel'", "(eq substring(name, 1) 'egel')"],
      ["substring(name, 1, 2) eq 'eg'", "(eq substring(name, 1, 2) 'eg')"],
      ["tolower(name) eq 'pegel'", "(eq tolower(name) 'pegel')"],
      ["toupper(name) eq 'PEGEL'", "(eq toupper(name) 'PEGEL')"],
      ["trim(name) eq 'Pegel'", "(eq trim(name) 'Pegel')"],
      ["concat(name, 'x') eq 'Pegelx'", "(eq concat(name, 'x') 'Pegelx')"],
      ['year(phenomenonTime) eq 2015', '(eq year(phenomenonTime) 2015)'],
      ['month(phenomenonTime) eq 3', '(eq month(phenomenonTime) 3)'],
      ['day(phenomenonTime) eq 2', '(eq day(phenomenonTime) 2)'],
      ['hour(phenomenonTime) eq 1', '(eq hour(phenomenonTime) 1)'],
      ['minute(phenomenonTime) eq 15', '(eq minute(phenomenonTime) 15)'],
      ['second(phenomenonTime) eq 0', '(eq second(phenomenonTime) 0)'],
      ['fractionalseconds(phenomenonTime) eq 0.5', '(eq fractionalseconds(phenomenonTime) 0.5)'],
      ['date(phenomenonTime) eq date(resultTime)', '(eq date(phenomenonTime) date(resultTime))'],
      ['time(phenomenonTime) le time(resultTime)', '(le time(phenomenonTime) time(resultTime))'],
      ['totaloffsetminutes(phenomenonTime) eq 0', '(eq totaloffsetminutes(phenomenonTime) 0)'],
      ['phenomenonTime le now()', '(le phenomenonTime now())'],
      ['phenomenonTime gt mindatetime()', '(gt phenomenonTime mindatetime())'],
      ['phenomenonTime lt maxdatetime()', '(lt phenomenonTime maxdatetime())'],
      ['round(result) eq 3', '(eq round(result) 3)'],
      ['floor(result) eq 3', '(eq floor(result) 3)'],
      ['ceiling(result) eq 4', '(eq ceiling(result) 4)'],
      ["geo.distance(location, geography'POINT(1 2)') lt 0.5", '(lt geo.distance(location, geo:Point) 0.5)'],
      ['geo.length(observedArea) gt 1', '(gt geo.length(observedArea) 1)'],
      ["geo.intersects(location, geography'POINT(1 2)')", 'geo.intersects(location, geo:Point)'],
      ["st_equals(location, geography'POINT(1 2)')", 'st_equals(location, geo:Point)'],
      ["st_disjoint(location, geography'POINT(1 2)')", 'st_disjoint(location, geo:Point)'],
      ["st_touches(location, geography'POINT(1 2)')", 'st_touches(location, geo:Point)'],
      ["st_within(location, geography'POINT(1 2)')", 'st_within(location, geo:Point)'],
      ["st_overlaps(location, geography'POINT(1 2)')", 'st_overlaps(location, geo:Point)'],
      ["st_crosses(location, geography'POINT(1 2)')", 'st_crosses(location, geo:Point)'],
      ["st_intersects(location, geography'POINT(1 2)')", 'st_intersects(location, geo:Point)'],
      ["st_contains(location, geography'POINT(1 2)')", 'st_contains(location, geo:Point)'],
      ["st_relate(location, geography'POINT(1 2)', 'T********')", "st_relate(location, geo:Point, 'T********')"],
    ];
    it.each(cases)('reads %s', (text, tree) => {
      expect(p(text)).toBe(tree);
    });
    it('has a case for every function it knows', () => {
      const named = new Set(cases.flatMap(([text]) => [...text.matchAll(/([a-z_.]+)\(/g)].map((m) => m[1])));
      expect(Object.keys(FUNCTION_ARITY).filter((f) => !named.has(f))).toEqual([]);
    });
    it('reads function names in any case', () => {
      expect(p("toLower(name) eq 'x'")).toBe("(eq tolower(name) 'x')");
    });
    it('nests calls and arithmetic in arguments', () => {
      expect(p("length(concat(trim(name), 'ab')) add 1 gt 3")).toBe("(gt (add length(concat(trim(name), 'ab')) 1) 3)");
    });
  });

  describe('ets-sta10 filters', () => {
    it.each([
      ["name lt 'thing 1'", "(lt name 'thing 1')"],
      ["encodingType ne 'application/vnd.geo+json'", "(ne encodingType 'application/vnd.geo+json')"],
      ['time ge 2015-10-14T21:30:00.104Z', '(ge time datetime:2015-10-14T21:30:00.104Z)'],
      ["observationType eq 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement'", "(eq observationType 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement')"],
      ['phenomenonTime le 2015-03-02T00:00:00.000Z', '(le phenomenonTime datetime:2015-03-02T00:00:00.000Z)'],
      ["result gt '3'", "(gt result '3')"],
      ["definition eq 'http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html/LuminousFlux'", "(eq definition 'http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html/LuminousFlux')"],
    ])('reads %s', (text, tree) => {
      expect(p(text)).toBe(tree);
    });
  });

  describe('errors', () => {
    it('names the position of an unknown function', () => {
      expect(errorOf("name eq 'a' and frobnicate(name)")).toMatchObject({ status: 400, position: 16, message: expect.stringContaining('Unknown function frobnicate()') });
    });
    it('names the position of a missing operand', () => {
      expect(errorOf('result gt ')).toMatchObject({ status: 400, position: 10, message: expect.stringContaining('the end of the expression') });
    });
    it('names the position of an unclosed parenthesis', () => {
      expect(errorOf('(id eq 1 or id eq 2')).toMatchObject({ position: 19, message: expect.stringContaining('Expected ")"') });
    });
    it('names the position of an unterminated string', () => {
      expect(errorOf("name eq 'abc")).toMatchObject({ position: 8, message: expect.stringContaining('Unterminated string') });
    });
    it('refuses a datetime without an offset', () => {
      expect(errorOf('phenomenonTime gt 2015-03-02T00:00:00')).toMatchObject({ position: 18, message: expect.stringContaining('time zone offset') });
    });
    it('refuses an impossible datetime', () => {
      expect(errorOf('phenomenonTime gt 2015-02-30T00:00:00Z')).toMatchObject({ position: 18, message: expect.stringContaining('Not a valid datetime') });
    });
    it('refuses a malformed duration', () => {
      expect(errorOf("phenomenonTime gt now() sub duration'1 day'")).toMatchObject({ position: 28, message: expect.stringContaining('ISO 8601 duration') });
    });
    it('refuses a malformed geometry, pointing into it', () => {
      expect(errorOf("st_within(location, geography'POINT(1)')")).toMatchObject({ status: 400, position: 37, message: expect.stringContaining('Not a valid geometry') });
      expect(errorOf("st_within(location, geography'POLYGON((0 0, 1 0, 1 1))')")).toMatchObject({ message: expect.stringContaining('closed') });
    });
    it('refuses a wrong number of arguments', () => {
      expect(errorOf("startswith(name)")).toMatchObject({ position: 0, message: expect.stringContaining('startswith() takes 2 arguments, not 1') });
      expect(errorOf("substring(name, 1, 2, 3) eq 'x'")).toMatchObject({ message: expect.stringContaining('takes 2 or 3 arguments') });
    });
    it('refuses chained comparisons', () => {
      expect(errorOf('id eq 1 eq true')).toMatchObject({ position: 8, message: expect.stringContaining('cannot be chained') });
    });
    it('refuses trailing text and stray characters', () => {
      expect(errorOf('id eq 1 id')).toMatchObject({ position: 8 });
      expect(errorOf('id eq #1')).toMatchObject({ position: 6, message: expect.stringContaining('Unexpected character "#"') });
    });
    it('refuses an operator where a value belongs', () => {
      expect(errorOf('id eq and')).toMatchObject({ position: 6, message: expect.stringContaining('operator "and"') });
    });
    it('refuses expressions nested too deeply instead of running out of stack', () => {
      expect(errorOf(`${'('.repeat(5000)}id eq 1${')'.repeat(5000)}`)).toMatchObject({ status: 400, position: 100, message: expect.stringContaining('nested more than 100 levels') });
      expect(errorOf(`${'not '.repeat(200)}id eq 1`)).toMatchObject({ status: 400 });
      expect(p(`${'('.repeat(50)}id eq 1${')'.repeat(50)}`)).toBe('(eq id 1)');
    });
    it('refuses an empty filter', () => {
      expect(errorOf('  ')).toMatchObject({ status: 400, message: expect.stringContaining('empty') });
    });
  });
});

describe('$orderby parser', () => {
  it('reads several items with directions, ascending by default', () => {
    const items = parseOrderBy('phenomenonTime desc, result, name ASC');
    expect(items.map((i) => [show(i.expr), i.direction])).toEqual([
      ['phenomenonTime', 'desc'],
      ['result', 'asc'],
      ['name', 'asc'],
    ]);
  });
  it('orders by expressions', () => {
    expect(parseOrderBy('result mul -1 desc, length(name)').map((i) => show(i.expr))).toEqual(['(mul result -1)', 'length(name)']);
  });
  it('refuses a stray word with its position', () => {
    expect(() => parseOrderBy('name sideways')).toThrow(expect.objectContaining({ position: 5 }));
  });
});
