/**
 * Topic filters as MQTT defines them (3.1.1 and 5.0 §4.7: `+` one level, `#` the rest and the parent level itself,
 * topics starting with `$` matched by no filter starting with a wildcard), plus one extension for SensorThings paths:
 * a `+` inside a level matches any text there, so `v1.1/Datastreams(+)/Observations` means what it says. The broker is
 * asked for the nearest MQTT filter (`v1.1/+/Observations`) and the rest is sorted out here.
 */

/** Why `pattern` is no valid topic filter, or undefined when it is one. */
export function topicFilterProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'a topic filter must not be empty';
  if (pattern.includes('\u0000')) return 'a topic filter must not contain NUL';
  if (pattern.startsWith('$share/')) return 'subscribe to the plain filter; the shared group comes from MQTT_SHARED_GROUP';
  const levels = pattern.split('/');
  for (let i = 0; i < levels.length; i++) {
    if (levels[i].includes('#') && (levels[i] !== '#' || i !== levels.length - 1)) return '# must be a whole level and the last one';
  }
  return undefined;
}

/** The MQTT filter to subscribe to for a pattern: a level with `+` inside becomes `+`. */
export function brokerFilter(pattern: string): string {
  return pattern
    .split('/')
    .map((l) => (l.includes('+') ? '+' : l))
    .join('/');
}

const levelPatterns = new Map<string, RegExp>();
function levelMatches(pattern: string, level: string): boolean {
  if (pattern === '+') return true;
  if (!pattern.includes('+')) return pattern === level;
  let re = levelPatterns.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('+').map((p) => p.replace(/[.*?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    levelPatterns.set(pattern, re);
  }
  return re.test(level);
}

/** Whether a PUBLISH on `topic` matches `pattern`. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (topic.startsWith('$') && (pattern.startsWith('+') || pattern.startsWith('#'))) return false;
  const f = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || !levelMatches(f[i], t[i])) return false;
  }
  return f.length === t.length;
}
