import type { Literal, NamedNode, Quad, Term } from '@rdfjs/types';

/**
 * SHACL shapes compiled to plain functions, for the validation that runs on every dataset write.
 *
 * shacl-engine walks the shapes and the data through generic graph pointers on every call; for our
 * ~100 property shapes and a ~100-triple dataset graph that was a third of the server's work per
 * write. This compiles the shapes once into closures over a small subject/predicate index and gives
 * the same results shacl-engine 1.1 gives, result for result: the same focus node, path, value,
 * source shape, constraint component, severity and message (its default messages included). It knows
 * the SHACL Core parts our shapes use: targets by class (sub-classes from the shapes graph, and a
 * node shape's own IRI as an implicit class) and by objects of a predicate; a predicate or an
 * alternative of predicates as path; min/max count, node kind, class, datatype (lexical forms checked
 * by rdf-validation, the library shacl-engine uses), pattern, hasValue, node, property, or and
 * qualified value shapes. Shapes that use anything else, or nest recursively, are refused by
 * `compileShapes` with `UnsupportedShapes`, and the caller keeps validating with shacl-engine.
 * `shacl-compiled.spec.ts` holds the two to identical findings over the profile's fixtures and
 * hundreds of generated variants.
 */

export class UnsupportedShapes extends Error {}

/** One constraint failure before it becomes a `Finding` (shacl-validator.ts) . */
export interface CompiledResult {
  shape: Term;
  severity: Term | undefined;
  focusNode: Term;
  /** Absent for count, hasValue-on-values and qualified results, as in shacl-engine. */
  value?: Term;
  path?: NamedNode[];
  constraint: string;
  message: Literal[];
}

export interface CompiledShapes {
  validate(quads: Iterable<Quad>): CompiledResult[];
}

interface TermFactory {
  literal(value: string, languageOrDatatype?: string | NamedNode): Literal;
}

const SH = 'http://www.w3.org/ns/shacl#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDF_TYPE = `${RDF}type`;
const RDFS_SUBCLASS = 'http://www.w3.org/2000/01/rdf-schema#subClassOf';
const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
const REPORTED_SEVERITIES = new Set([`${SH}Violation`, `${SH}Warning`, `${SH}Info`]);

const NODE_KINDS: Record<string, Set<string>> = {
  [`${SH}BlankNode`]: new Set(['BlankNode']),
  [`${SH}BlankNodeOrIRI`]: new Set(['BlankNode', 'NamedNode']),
  [`${SH}BlankNodeOrLiteral`]: new Set(['BlankNode', 'Literal']),
  [`${SH}IRI`]: new Set(['NamedNode']),
  [`${SH}IRIOrLiteral`]: new Set(['NamedNode', 'Literal']),
  [`${SH}Literal`]: new Set(['Literal']),
};

/** The predicates a shape may carry here; anything else of SHACL makes the shapes unsupported. */
const KNOWN = new Set(
  ['targetClass', 'targetObjectsOf', 'property', 'path', 'minCount', 'maxCount', 'nodeKind', 'class', 'node', 'pattern', 'flags', 'datatype', 'hasValue', 'or', 'qualifiedValueShape', 'qualifiedMinCount', 'qualifiedMaxCount', 'severity', 'message', 'name', 'description', 'order', 'group']
    .map((n) => `${SH}${n}`),
);

/** A term's identity, as RDF/JS term equality has it. */
function keyOf(t: Term): string {
  switch (t.termType) {
    case 'NamedNode':
      return t.value;
    case 'BlankNode':
      return `_:${t.value}`;
    case 'Literal':
      return `"${t.value}"@${t.language}^^${t.datatype.value}`;
    default:
      return `${t.termType}:${t.value}`;
  }
}

/** N-Triples form of a term, for messages (as @rdfjs/to-ntriples writes it). */
function toNT(t: Term): string {
  if (t.termType === 'NamedNode') return `<${t.value}>`;
  if (t.termType === 'BlankNode') return `_:${t.value}`;
  if (t.termType === 'Literal') {
    const text = `"${t.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
    if (t.language) return `${text}@${t.language}`;
    return t.datatype.value === XSD_STRING ? text : `${text}^^<${t.datatype.value}>`;
  }
  return String(t.value);
}

/** Statements by subject and predicate, each object once. */
class Graph {
  private readonly bySubject = new Map<string, { term: Term; out: Map<string, Map<string, Term>> }>();
  /** Distinct statements. */
  readonly size: number;

  constructor(quads: Iterable<Quad>) {
    let size = 0;
    for (const q of quads) {
      const s = keyOf(q.subject);
      let subject = this.bySubject.get(s);
      if (!subject) this.bySubject.set(s, (subject = { term: q.subject, out: new Map() }));
      let objects = subject.out.get(q.predicate.value);
      if (!objects) subject.out.set(q.predicate.value, (objects = new Map()));
      const o = keyOf(q.object);
      if (!objects.has(o)) {
        objects.set(o, q.object);
        size++;
      }
    }
    this.size = size;
  }

  objects(subject: Term, predicate: string): Term[] {
    const found = this.bySubject.get(keyOf(subject))?.out.get(predicate);
    return found ? [...found.values()] : [];
  }

  has(subject: Term, predicate: string, objectKey: string): boolean {
    return this.bySubject.get(keyOf(subject))?.out.get(predicate)?.has(objectKey) ?? false;
  }

  predicates(subject: Term): Iterable<string> {
    return this.bySubject.get(keyOf(subject))?.out.keys() ?? [];
  }

  subjects(): Iterable<Term> {
    return [...this.bySubject.values()].map((s) => s.term);
  }

  /** Subjects with some `predicate` value among `objectKeys`. */
  subjectsWith(predicate: string, objectKeys: Set<string>): Term[] {
    const out: Term[] = [];
    for (const { term, out: byPredicate } of this.bySubject.values()) {
      const objects = byPredicate.get(predicate);
      if (objects) for (const k of objects.keys()) if (objectKeys.has(k)) { out.push(term); break; }
    }
    return out;
  }

  /** The objects of every statement with `predicate`. */
  *objectsOf(predicate: string): Generator<[string, Term]> {
    for (const { out } of this.bySubject.values()) {
      const objects = out.get(predicate);
      if (objects) yield* objects;
    }
  }
}

interface Shape {
  term: Term;
  severity: Term | undefined;
  messages: Literal[];
  path?: NamedNode[];
  minCount?: number;
  maxCount?: number;
  nodeKind?: { term: Term; kinds: Set<string> };
  classes: Set<string>[];
  nodes: Shape[];
  pattern?: { source: string; flags: string | undefined; regex: RegExp };
  datatype?: Term;
  hasValue?: Term;
  or?: Shape[];
  qualified?: { shape: Shape; min: number | null; max: number | null };
  properties: Shape[];
}

interface Root {
  shape: Shape;
  classes: Set<string>;
  objectsOf: string[];
}

type Sink = CompiledResult[];

/** Compiles Turtle-parsed shapes. Throws `UnsupportedShapes` when they use SHACL this does not know. */
export function compileShapes(shapeQuads: Quad[], factory: TermFactory, datatypeValid: (literal: Literal) => boolean): CompiledShapes {
  const shapes = new Graph(shapeQuads);
  const one = (subject: Term, predicate: string): Term | undefined => {
    const found = shapes.objects(subject, predicate);
    if (found.length > 1) throw new UnsupportedShapes(`${keyOf(subject)} has several ${predicate}`);
    return found[0];
  };
  const list = (head: Term): Term[] => {
    const items: Term[] = [];
    for (let node: Term | undefined = head; node && node.value !== `${RDF}nil`; node = one(node, `${RDF}rest`)) {
      const first = one(node, `${RDF}first`);
      if (!first) throw new UnsupportedShapes(`${keyOf(head)} is no list`);
      items.push(first);
    }
    return items;
  };
  /** A class and its sub-classes, from the shapes graph (shacl-engine's resolveClasses). */
  const subclasses = (cls: Term): Set<string> => {
    const seen = new Set<string>([keyOf(cls)]);
    const todo = [keyOf(cls)];
    while (todo.length) {
      const parent = todo.pop()!;
      for (const t of shapes.subjectsWith(RDFS_SUBCLASS, new Set([parent]))) {
        if (!seen.has(keyOf(t))) {
          seen.add(keyOf(t));
          todo.push(keyOf(t));
        }
      }
    }
    return seen;
  };

  const compiled = new Map<string, Shape>();
  const shape = (term: Term): Shape => {
    const key = keyOf(term);
    const known = compiled.get(key);
    if (known) return known;
    for (const predicate of shapes.predicates(term)) {
      if (predicate.startsWith(SH) && !KNOWN.has(predicate)) throw new UnsupportedShapes(`${key} uses ${predicate}`);
    }
    const s: Shape = { term, severity: one(term, `${SH}severity`), messages: shapes.objects(term, `${SH}message`) as Literal[], classes: [], nodes: [], properties: [] };
    compiled.set(key, s);
    const path = one(term, `${SH}path`);
    if (path) s.path = parsePath(path);
    const count = (p: string): number | undefined => {
      const t = one(term, `${SH}${p}`);
      return t === undefined ? undefined : parseInt(t.value);
    };
    s.minCount = count('minCount');
    s.maxCount = count('maxCount');
    const nodeKind = one(term, `${SH}nodeKind`);
    if (nodeKind) {
      const kinds = NODE_KINDS[nodeKind.value];
      if (!kinds) throw new UnsupportedShapes(`${key}: node kind ${nodeKind.value}`);
      s.nodeKind = { term: nodeKind, kinds };
    }
    s.classes = shapes.objects(term, `${SH}class`).map(subclasses);
    const pattern = one(term, `${SH}pattern`);
    if (pattern) {
      const flags = one(term, `${SH}flags`)?.value;
      if (flags && /[gy]/.test(flags)) throw new UnsupportedShapes(`${key}: pattern flags ${flags}`);
      s.pattern = { source: pattern.value, flags, regex: new RegExp(pattern.value, flags) };
    }
    s.datatype = one(term, `${SH}datatype`);
    s.hasValue = one(term, `${SH}hasValue`);
    s.nodes = shapes.objects(term, `${SH}node`).map(shape);
    const or = shapes.objects(term, `${SH}or`);
    if (or.length > 1) throw new UnsupportedShapes(`${key} has several sh:or`);
    if (or.length) s.or = list(or[0]).map(shape);
    const qualified = one(term, `${SH}qualifiedValueShape`);
    if (qualified) {
      s.qualified = { shape: shape(qualified), min: count('qualifiedMinCount') ?? null, max: count('qualifiedMaxCount') ?? null };
    } else if (count('qualifiedMinCount') !== undefined || count('qualifiedMaxCount') !== undefined) {
      throw new UnsupportedShapes(`${key}: a qualified count without sh:qualifiedValueShape`);
    }
    s.properties = shapes.objects(term, `${SH}property`).map(shape);
    return s;
  };
  const parsePath = (path: Term): NamedNode[] => {
    if (path.termType === 'NamedNode') return [path];
    const alternatives = shapes.objects(path, `${SH}alternativePath`);
    const others = [...shapes.predicates(path)].filter((p) => p !== `${SH}alternativePath`);
    if (alternatives.length !== 1 || others.length) throw new UnsupportedShapes(`path ${keyOf(path)}`);
    const steps = list(alternatives[0]);
    if (!steps.every((t): t is NamedNode => t.termType === 'NamedNode')) throw new UnsupportedShapes(`path ${keyOf(path)}`);
    return steps;
  };

  // The shapes shacl-engine starts from: those with a target, and every declared node or property shape.
  const roots: Root[] = [];
  for (const term of shapes.subjects()) {
    const key = keyOf(term);
    const types = shapes.objects(term, RDF_TYPE).map(keyOf);
    const targetClasses = shapes.objects(term, `${SH}targetClass`);
    const objectsOf = shapes.objects(term, `${SH}targetObjectsOf`);
    const isNodeShape = types.includes(`${SH}NodeShape`);
    const declared = isNodeShape || types.includes(`${SH}PropertyShape`);
    for (const p of ['targetNode', 'targetSubjectsOf', 'target']) if (shapes.objects(term, `${SH}${p}`).length) throw new UnsupportedShapes(`${key} uses sh:${p}`);
    if (!declared && !targetClasses.length && !objectsOf.length) continue;
    const classes = new Set<string>();
    for (const c of [...targetClasses, ...(isNodeShape ? [term] : [])]) for (const k of subclasses(c)) classes.add(k);
    roots.push({ shape: shape(term), classes, objectsOf: objectsOf.map((t) => t.value) });
  }
  refuseCycles([...compiled.values()]);

  // Constraint messages the shapes graph gives a component (used when neither shape nor check has one).
  const componentMessages = (component: string): Literal[] => shapes.objects({ termType: 'NamedNode', value: `${SH}${component}` } as NamedNode, `${SH}message`) as Literal[];

  return {
    validate(quads: Iterable<Quad>): CompiledResult[] {
      const all = [...quads];
      const data = new Graph(all);
      const sink: Sink = [];
      if (data.size === 0) return sink; // shacl-engine ignores an empty data graph
      const conformCache = new Map<Shape, Map<string, boolean>>();

      const report = (s: Shape, out: Sink, focusNode: Term, component: string, value: Term | undefined, args: Record<string, unknown>, fallback: string | undefined): void => {
        let message = s.messages;
        let source: Literal[] | string[] = message;
        if (!message.length) source = fallback !== undefined ? [fallback] : componentMessages(component);
        message = (source as (Literal | string)[]).map((m) => {
          const text = typeof m === 'string' ? m : m.value;
          const language = typeof m === 'string' ? undefined : m.language || undefined;
          return language ? factory.literal(resolveVariables(text, args), language) : factory.literal(resolveVariables(text, args));
        });
        out.push({ shape: s.term, severity: s.severity, focusNode, ...(value ? { value } : {}), ...(s.path ? { path: s.path } : {}), constraint: `${SH}${component}`, message });
      };

      const conforms = (s: Shape, focus: Term): boolean => {
        let byFocus = conformCache.get(s);
        if (!byFocus) conformCache.set(s, (byFocus = new Map()));
        const key = keyOf(focus);
        let result = byFocus.get(key);
        if (result === undefined) {
          const nested: Sink = [];
          check(s, focus, nested);
          result = !nested.some((r) => REPORTED_SEVERITIES.has(r.severity?.value ?? `${SH}Violation`));
          byFocus.set(key, result);
        }
        return result;
      };

      /** The constraints that look at one value (a property shape's values, or a node shape's focus node). */
      const checkTerm = (s: Shape, focus: Term, v: Term, out: Sink): void => {
        for (const classes of s.classes) {
          const ok = data.objects(v, RDF_TYPE).some((t) => classes.has(keyOf(t)));
          if (!ok) report(s, out, focus, 'ClassConstraintComponent', v, {}, undefined);
        }
        if (s.datatype) {
          const ok = v.termType === 'Literal' && v.datatype.value === s.datatype.value && s.datatype.termType === 'NamedNode' && datatypeValid(v);
          if (!ok) report(s, out, focus, 'DatatypeConstraintComponent', v, { datatype: s.datatype }, 'Value does not have datatype {$datatype}');
        }
        if (s.nodeKind && !s.nodeKind.kinds.has(v.termType)) {
          report(s, out, focus, 'NodeKindConstraintComponent', v, { nodeKind: s.nodeKind.term }, 'Value does not have node kind {$nodeKind}');
        }
        for (const n of s.nodes) {
          if (!conforms(n, v)) report(s, out, focus, 'NodeConstraintComponent', v, { node: n.term }, 'Value does not have shape {$node}');
        }
        if (s.or && !s.or.some((alt) => conforms(alt, v))) report(s, out, focus, 'OrConstraintComponent', v, {}, undefined);
        if (s.pattern && !s.pattern.regex.test(v.value)) {
          report(s, out, focus, 'PatternConstraintComponent', v, { flags: s.pattern.flags, pattern: s.pattern.source }, 'Value does not match pattern "{$pattern}"');
        }
        for (const p of s.properties) check(p, v, out);
      };

      const check = (s: Shape, focus: Term, out: Sink): void => {
        if (!s.path) {
          if (s.hasValue && keyOf(s.hasValue) !== keyOf(focus)) report(s, out, focus, 'HasValueConstraintComponent', undefined, { hasValue: s.hasValue }, 'Value must be {$hasValue}');
          checkTerm(s, focus, focus, out);
          return;
        }
        const values = new Map<string, Term>();
        for (const p of s.path) for (const o of data.objects(focus, p.value)) if (!values.has(keyOf(o))) values.set(keyOf(o), o);
        const n = values.size;
        if (s.maxCount !== undefined && !(n <= s.maxCount)) report(s, out, focus, 'MaxCountConstraintComponent', undefined, { maxCount: s.maxCount }, 'More than {$maxCount} values');
        if (s.minCount !== undefined && !(n >= s.minCount)) report(s, out, focus, 'MinCountConstraintComponent', undefined, { minCount: s.minCount }, 'Less than {$minCount} values');
        if (s.hasValue && !values.has(keyOf(s.hasValue))) report(s, out, focus, 'HasValueConstraintComponent', undefined, { hasValue: s.hasValue }, 'Missing expected value {$hasValue}');
        if (s.qualified) {
          const { shape: q, min, max } = s.qualified;
          const count = [...values.values()].filter((v) => conforms(q, v)).length;
          const args = { qualifiedMaxCount: max, qualifiedValueShape: q.term, qualifiedValueShapesDisjoint: false };
          if (max !== null && !(count <= max)) report(s, out, focus, 'QualifiedMaxCountConstraintComponent', undefined, args, 'More than {$qualifiedMaxCount} values have shape {$qualifiedValueShape}');
          const minArgs = { qualifiedMinCount: min, qualifiedValueShape: q.term, qualifiedValueShapesDisjoint: false };
          if (min !== null && !(count >= min)) report(s, out, focus, 'QualifiedMinCountConstraintComponent', undefined, minArgs, 'Less than {$qualifiedMinCount} values have shape {$qualifiedValueShape}');
        }
        for (const v of values.values()) checkTerm(s, focus, v, out);
      };

      for (const root of roots) {
        const targets = new Map<string, Term>();
        if (root.classes.size) for (const t of data.subjectsWith(RDF_TYPE, root.classes)) targets.set(keyOf(t), t);
        for (const p of root.objectsOf) for (const [k, o] of data.objectsOf(p)) if (!targets.has(k)) targets.set(k, o);
        for (const focus of targets.values()) check(root.shape, focus, sink);
      }
      return sink;
    },
  };
}

/** shacl-engine's message templating: each `{$name}` / `{?name}` replaced once, terms in N-Triples form. */
function resolveVariables(message: string, args: Record<string, unknown>): string {
  return Object.entries(args).reduce((text, [name, raw]) => {
    const value = raw && typeof raw === 'object' && 'termType' in raw ? toNT(raw as Term) : String(raw);
    return text.replace(`{$${name}}`, value).replace(`{?${name}}`, value);
  }, message);
}

/** Recursive shapes would need shacl-engine's in-progress bookkeeping; ours have none, and stay that way. */
function refuseCycles(all: Shape[]): void {
  const state = new Map<Shape, 'open' | 'done'>();
  const visit = (s: Shape): void => {
    if (state.get(s) === 'done') return;
    if (state.get(s) === 'open') throw new UnsupportedShapes(`recursive shape ${keyOf(s.term)}`);
    state.set(s, 'open');
    for (const next of [...s.nodes, ...(s.or ?? []), ...(s.qualified ? [s.qualified.shape] : []), ...s.properties]) visit(next);
    state.set(s, 'done');
  };
  for (const s of all) visit(s);
}
