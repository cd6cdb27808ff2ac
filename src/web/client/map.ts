import * as L from 'leaflet';
import 'leaflet/dist/leaflet.css';

/**
 * The map island: every `<div data-map>` gets a Leaflet map with the configured base map (MAP_STYLE_URL, raster
 * tiles) and the page's places, given in the element's `data-map` JSON (the same data the page's table lists): points
 * as coloured circles (a gauge's state), and a dataset's `spatial` GeoJSON. Tiles that fail to load leave the markers.
 */
interface MapPoint {
  lon: number;
  lat: number;
  name: string;
  href?: string;
  text?: string;
  colour?: string;
}

interface MapConfig {
  tiles: string;
  attribution: string;
  points?: MapPoint[];
  geojson?: unknown;
}

function draw(host: HTMLElement): void {
  const cfg = JSON.parse(host.dataset.map ?? '{}') as MapConfig;
  const map = L.map(host, { scrollWheelZoom: false });
  // The view first (vector layers need one to be drawn): the places' extent, else Germany.
  const shape = cfg.geojson ? L.geoJSON(cfg.geojson as GeoJSON.GeoJsonObject, { style: { color: '#00506e', weight: 2 }, pointToLayer: (_f, ll) => L.circleMarker(ll, { radius: 8, color: '#00506e' }) }) : undefined;
  const bounds = L.latLngBounds([]);
  if (shape) bounds.extend(shape.getBounds());
  for (const p of cfg.points ?? []) bounds.extend([p.lat, p.lon]);
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
  else map.setView([51.1, 10.4], 6);
  L.tileLayer(cfg.tiles, { attribution: cfg.attribution, maxZoom: 18 }).addTo(map);
  shape?.addTo(map);
  for (const p of cfg.points ?? []) {
    const marker = L.circleMarker([p.lat, p.lon], { radius: 9, weight: 2, color: '#1b1b1b', fillColor: p.colour ?? '#00506e', fillOpacity: 0.9 }).addTo(map);
    const popup = document.createElement('div');
    const title = document.createElement(p.href ? 'a' : 'strong');
    title.textContent = p.name;
    if (p.href) (title as HTMLAnchorElement).href = p.href;
    popup.append(title);
    if (p.text) {
      const line = document.createElement('div');
      line.textContent = p.text;
      popup.append(line);
    }
    marker.bindPopup(popup);
    marker.bindTooltip(p.name);
  }
  host.classList.add('map-ready');
}

for (const host of Array.from(document.querySelectorAll<HTMLElement>('[data-map]'))) draw(host);
