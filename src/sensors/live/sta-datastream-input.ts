import { QUANTITIES } from '../catalog/sensor-quantities';
import { isKnownQuantity, quantitiesOf } from '../observations/units';
import type { QuantityKey, StreamInfo } from '../readings';
import { bad, isObject, type Json } from './sta-entity-input';

/**
 * A SensorThings Datastream as the catalog's stream: the quantity (which decides the stored unit and the
 * conversions) from `properties.quantity` when given, else from the unit and the ObservedProperty; a unit of no known
 * quantity makes an `other` stream stored in the unit as declared.
 */
export function streamFromDatastream(ds: Json, key: string, observedProperty?: { name?: unknown; definition?: unknown }): StreamInfo {
  const uom = isObject(ds.unitOfMeasurement) ? ds.unitOfMeasurement : {};
  const symbol = typeof uom.symbol === 'string' && uom.symbol ? uom.symbol : typeof uom.name === 'string' ? uom.name : '';
  const props = isObject(ds.properties) ? { ...ds.properties } : {};
  let quantity: QuantityKey;
  const declared = props.quantity;
  if (declared !== undefined) {
    if (typeof declared !== 'string' || !isKnownQuantity(declared)) throw bad(`Datastream: properties.quantity must be one of ${Object.keys(QUANTITIES).join(', ')}`);
    quantity = declared;
  } else {
    const candidates = symbol ? quantitiesOf(symbol) : [];
    const text = `${String(observedProperty?.name ?? '')} ${String(observedProperty?.definition ?? '')}`.toLowerCase();
    const byProperty = candidates.find((q) => text.includes(QUANTITIES[q].label.toLowerCase()) || text.includes(QUANTITIES[q].definition.toLowerCase()) || text.includes(q.replace('_', ' ')));
    quantity = byProperty ?? candidates[0] ?? 'other';
  }
  delete props.quantity;
  const name = typeof ds.name === 'string' ? ds.name : key;
  return { key, name, description: typeof ds.description === 'string' ? ds.description : undefined, quantity, unit: symbol, properties: props };
}
