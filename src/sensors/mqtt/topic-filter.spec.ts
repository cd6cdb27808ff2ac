import { brokerFilter, topicFilterProblem, topicMatches } from './topic-filter';

describe('MQTT topic filters', () => {
  it.each([
    ['v1.1/Datastreams(+)/Observations', 'v1.1/Datastreams(7)/Observations', true],
    ['v1.1/Datastreams(+)/Observations', "v1.1/Datastreams('a-b')/Observations", true],
    ['v1.1/Datastreams(+)/Observations', 'v1.1/FeaturesOfInterest(7)/Observations', false],
    ['v1.1/Datastreams(+)/Observations', 'v1.1/Datastreams(7)/Observations/x', false],
    ['gauges/+/W', 'gauges/2730010/W', true],
    ['gauges/+/W', 'gauges/W', false],
    ['v3/+/devices/+/up', 'v3/app@ttn/devices/pegel-1/up', true],
    ['sensors/#', 'sensors', true],
    ['sensors/#', 'sensors/a/b', true],
    ['#', '$SYS/broker/uptime', false],
    ['+/broker/uptime', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('asks the broker for the nearest MQTT filter of a SensorThings path pattern', () => {
    expect(brokerFilter('v1.1/Datastreams(+)/Observations')).toBe('v1.1/+/Observations');
    expect(brokerFilter('gauges/+/W')).toBe('gauges/+/W');
  });

  it('names what is wrong with an invalid filter', () => {
    expect(topicFilterProblem('a/#/b')).toBe('# must be a whole level and the last one');
    expect(topicFilterProblem('')).toBe('a topic filter must not be empty');
    expect(topicFilterProblem('$share/g/a')).toMatch(/MQTT_SHARED_GROUP/);
    expect(topicFilterProblem('v1.1/Datastreams(+)/Observations')).toBeUndefined();
  });
});
