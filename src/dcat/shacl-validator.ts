import type { DatasetCore, Literal, Quad, Term } from '@rdfjs/types';
import { DataFactory, Parser, Store } from 'n3';
import { CompiledResult, CompiledShapes, compileShapes, UnsupportedShapes } from './shacl-compiled';

/**
 * SHACL validation of RDF/JS quads with shacl-engine. The shapes are parsed and compiled once per
 * validator, so validating one dataset graph (~100 triples) on every write stays in the low
 * milliseconds. Membership checks (`<value> skos:inScheme <scheme>`) need vocabulary data beside the
 * data graph: pass it as background data (constructor `data`, or `extraData` per call); only what
 * it says about the terms the data uses is added to the data graph (see `validate`).
 */

export type Severity = 'violation' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** IRI, or `_:label` for a blank node. */
  focusNode: string;
  /** The result path: an IRI; `(a|b)` for an alternative path (sorted), `^p` inverse, `a/b` sequence. */
  path?: string;
  /** The offending value: IRI, `_:label`, or a literal's lexical form. */
  value?: string;
  /** The shape's sh:message by language (untagged engine messages land in `en`). */
  message: { de?: string; en?: string };
  /** The shape that reported it (IRI or `_:label`). */
  shape?: string;
  /** The constraint component, e.g. `sh:MinCountConstraintComponent`. */
  constraint?: string;
}

// The parts of shacl-engine's (untyped, ESM-only) API we use.
interface EngineStep {
  predicates: Term[];
  quantifier: 'one' | 'oneOrMore' | 'zeroOrMore' | 'zeroOrOne';
  start: 'subject' | 'object';
}
interface EnginePointer {
  term?: Term;
}
interface EngineResult {
  focusNode: EnginePointer;
  path?: EngineStep[] | null;
  value?: EnginePointer;
  severity: Term;
  shape: { ptr: EnginePointer };
  message: Literal[];
  constraintComponent: Term;
}
interface EngineValidator {
  validate(data: { dataset: DatasetCore }): Promise<{ results: EngineResult[] }>;
}
type EngineValidatorClass = new (dataset: DatasetCore, options: { factory: unknown }) => EngineValidator;

// shacl-engine is ESM-only: Node >= 20.19 require()s ES modules, and jest.config.js has @swc/jest
// transform it. A plain require keeps TypeScript from looking for declarations it does not ship.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Validator } = require('shacl-engine') as { Validator: EngineValidatorClass };
// rdf-validation checks literals' lexical forms for shacl-engine's sh:datatype; the compiled shapes ask the same library.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { XsdValidation } = require('rdf-validation') as { XsdValidation: new () => { validateSimple(term: Literal): boolean } };
const xsd = new XsdValidation();

const SH = 'http://www.w3.org/ns/shacl#';
const SEVERITIES = new Map<string, Severity>([
  [`${SH}Violation`, 'violation'],
  [`${SH}Warning`, 'warning'],
  [`${SH}Info`, 'info'],
]);
const SEVERITY_ORDER: Record<Severity, number> = { violation: 0, warning: 1, info: 2 };

/** What the engine needs of a factory: terms, quads and (for report graphs we never build) datasets. */
const factory = { ...DataFactory, dataset: (quads?: Quad[]): DatasetCore => new QuadSet(new Store(quads)) };

/** An N3 Store as DatasetCore whose `match` returns a plain array (no stream object per lookup). */
class QuadSet implements DatasetCore {
  constructor(private readonly store: Store) {}
  get size(): number {
    return this.store.size;
  }
  add(quad: Quad): this {
    this.store.addQuad(quad);
    return this;
  }
  delete(quad: Quad): this {
    this.store.removeQuad(quad);
    return this;
  }
  has(quad: Quad): boolean {
    return this.store.has(quad);
  }
  match(subject?: Term | null, predicate?: Term | null, object?: Term | null, graph?: Term | null): DatasetCore {
    return this.store.getQuads(subject ?? null, predicate ?? null, object ?? null, graph ?? null) as unknown as DatasetCore;
  }
  [Symbol.iterator](): Iterator<Quad> {
    return this.store.getQuads(null, null, null, null)[Symbol.iterator]();
  }
}

/** `<iri>` → `iri`, blank node → `_:label`, literal → its lexical form. */
export function termToString(term: Term): string {
  return term.termType === 'BlankNode' ? `_:${term.value}` : term.value;
}

/** Statements of background data by subject, so a validation picks the few it needs. */
type SubjectIndex = Map<string, Quad[]>;

function indexBySubject(quads: Iterable<Quad>): SubjectIndex {
  const index: SubjectIndex = new Map();
  for (const q of quads) {
    if (q.subject.termType !== 'NamedNode') continue; // a blank node of another graph is never reached from ours
    const list = index.get(q.subject.value);
    if (list) list.push(q);
    else index.set(q.subject.value, [q]);
  }
  return index;
}

function pathToString(steps: EngineStep[]): string {
  const step = (s: EngineStep): string => {
    const names = s.predicates.map((p) => p.value);
    let out = names.length > 1 ? `(${[...names].sort().join('|')})` : names[0];
    if (s.start === 'object') out = `^${out}`;
    if (s.quantifier === 'oneOrMore') out += '+';
    else if (s.quantifier === 'zeroOrMore') out += '*';
    else if (s.quantifier === 'zeroOrOne') out += '?';
    return out;
  };
  return steps.map(step).join('/');
}

function messageOf(literals: Literal[]): Finding['message'] {
  const message: Finding['message'] = {};
  let untagged: string | undefined;
  for (const l of literals) {
    const lang = l.language.toLowerCase().split('-')[0];
    if (lang === 'de') message.de ??= l.value;
    else if (lang === 'en') message.en ??= l.value;
    else if (!lang) untagged ??= l.value;
  }
  if (!message.en && untagged) message.en = untagged;
  return message;
}

function toFinding(r: EngineResult): Finding | undefined {
  const severity = SEVERITIES.get(r.severity.value);
  const focus = r.focusNode.term;
  if (!severity || !focus) return undefined; // debug/trace results
  const finding: Finding = { severity, focusNode: termToString(focus), message: messageOf(r.message) };
  if (r.path?.length) finding.path = pathToString(r.path);
  if (r.value?.term) finding.value = termToString(r.value.term);
  if (r.shape.ptr.term) finding.shape = termToString(r.shape.ptr.term);
  const component = r.constraintComponent.value;
  finding.constraint = component.startsWith(SH) ? `sh:${component.slice(SH.length)}` : component;
  return finding;
}

function compiledToFinding(r: CompiledResult): Finding | undefined {
  const severity = SEVERITIES.get(r.severity?.value ?? `${SH}Violation`);
  if (!severity) return undefined;
  const finding: Finding = { severity, focusNode: termToString(r.focusNode), message: messageOf(r.message) };
  if (r.path?.length) finding.path = r.path.length > 1 ? `(${r.path.map((p) => p.value).sort().join('|')})` : r.path[0].value;
  if (r.value) finding.value = termToString(r.value);
  finding.shape = termToString(r.shape);
  finding.constraint = r.constraint.startsWith(SH) ? `sh:${r.constraint.slice(SH.length)}` : r.constraint;
  return finding;
}

/** A total order, so both engines list the same findings in the same order. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.focusNode.localeCompare(b.focusNode) ||
    (a.path ?? '').localeCompare(b.path ?? '') ||
    (a.value ?? '').localeCompare(b.value ?? '') ||
    (a.shape ?? '').localeCompare(b.shape ?? '') ||
    (a.constraint ?? '').localeCompare(b.constraint ?? '')
  );
}

/** Parses Turtle (or N-Triples) with N3 into quads. */
export function loadQuadsFromTurtle(text: string, baseIRI?: string): Quad[] {
  return new Parser({ baseIRI }).parse(text) as Quad[];
}

export interface ShaclValidatorOptions {
  /** Background data for every validation (vocabularies, ontologies); see `validate`. */
  data?: Iterable<Quad>;
  /**
   * `auto` (default): the compiled shapes (shacl-compiled.ts) when they cover the shapes, else shacl-engine;
   * `shacl-engine`: always shacl-engine (the reference the compiled shapes are held to).
   */
  engine?: 'auto' | 'shacl-engine';
}

export class ShaclValidator {
  private readonly engine: EngineValidator;
  /** The shapes compiled, when they use only what shacl-compiled.ts knows. */
  private readonly compiled?: CompiledShapes;
  private readonly background: SubjectIndex;
  /** Indexes of `extraData` arrays seen before: callers pass the same vocabulary array on every write. */
  private readonly extraIndexes = new WeakMap<object, SubjectIndex>();

  constructor(shapes: Iterable<Quad>, options: ShaclValidatorOptions = {}) {
    const shapeQuads = [...shapes];
    this.engine = new Validator(new QuadSet(new Store(shapeQuads)), { factory });
    this.background = indexBySubject(options.data ?? []);
    if (options.engine !== 'shacl-engine') {
      try {
        this.compiled = compileShapes(shapeQuads, DataFactory, (literal) => xsd.validateSimple(literal));
      } catch (err) {
        if (!(err instanceof UnsupportedShapes)) throw err;
      }
    }
  }

  /** Which engine validates: `compiled` or `shacl-engine`. */
  get engineName(): 'compiled' | 'shacl-engine' {
    return this.compiled ? 'compiled' : 'shacl-engine';
  }

  /** A validator from Turtle shape documents (and optional Turtle background data). */
  static fromTurtle(shapes: string[], dataTurtle: string[] = []): ShaclValidator {
    return new ShaclValidator(
      shapes.flatMap((t) => loadQuadsFromTurtle(t)),
      { data: dataTurtle.flatMap((t) => loadQuadsFromTurtle(t)) },
    );
  }

  /**
   * Validates `quads` against the shapes. Background data (the constructor's `data` and
   * `extraData`) joins the data graph one hop deep: every statement whose subject is an IRI used
   * in `quads`. That is all a membership check `<value> skos:inScheme <scheme>` looks at, and it
   * keeps a validation independent of the vocabularies' size. An `extraData` array is indexed on
   * first use and the index kept for that array (pass the same, unchanging array on every call, e.g.
   * vocabularyQuads()). Findings are sorted, violations first.
   */
  async validate(quads: Iterable<Quad>, extraData?: Iterable<Quad>): Promise<Finding[]> {
    const data: Quad[] = [];
    const iris = new Set<string>();
    for (const q of quads) {
      data.push(q);
      if (q.subject.termType === 'NamedNode') iris.add(q.subject.value);
      if (q.object.termType === 'NamedNode') iris.add(q.object.value);
    }
    const extra = extraData ? this.extraIndex(extraData) : undefined;
    for (const iri of iris) {
      for (const index of [this.background, extra]) {
        const about = index?.get(iri);
        if (about) data.push(...about);
      }
    }
    const found = this.compiled
      ? this.compiled.validate(data).map(compiledToFinding)
      : (await this.engine.validate({ dataset: new QuadSet(new Store(data)) })).results.map(toFinding);
    const seen = new Set<string>();
    const findings: Finding[] = [];
    for (const f of found) {
      if (!f) continue;
      // The engine repeats a cached result when a node is reached twice (by target and by sh:node).
      const key = [f.severity, f.focusNode, f.path, f.value, f.shape, f.constraint].join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
    return findings.sort(compareFindings);
  }

  private extraIndex(extraData: Iterable<Quad>): SubjectIndex {
    if (!Array.isArray(extraData)) return indexBySubject(extraData);
    let index = this.extraIndexes.get(extraData);
    if (!index) {
      index = indexBySubject(extraData);
      this.extraIndexes.set(extraData, index);
    }
    return index;
  }
}
