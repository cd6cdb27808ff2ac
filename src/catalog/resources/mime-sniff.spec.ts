import { gzipSync } from 'node:zlib';
import { sniffMimetype, SNIFF_BYTES } from './mime-sniff';
import { zip } from '../../../test/factories/zip';


describe('sniffing the type of an uploaded file from its content', () => {
  it.each([
    ['a CSV with semicolons', Buffer.from('datum;wert\n2025-01-01;3\n2025-01-02;4\n'), 'werte.txt', 'text/csv'],
    ['a CSV in Latin-1 (old Excel exports)', Buffer.from('Straße;Anzahl\nHauptstraße;3\nMühlweg;4\n', 'latin1'), 'export.csv', 'text/csv'],
    ['a TSV by its name', Buffer.from('a\tb\n1\t2\n'), 'werte.tsv', 'text/tab-separated-values'],
    ['JSON', Buffer.from('[{"a": 1}]'), 'daten', 'application/json'],
    ['GeoJSON', Buffer.from('{"type": "FeatureCollection", "features": []}'), 'x.json', 'application/geo+json'],
    ['JSON-LD', Buffer.from('{"@context": "https://schema.org", "name": "x"}'), 'x.json', 'application/ld+json'],
    ['GML', Buffer.from('<?xml version="1.0"?><wfs:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2"></wfs:FeatureCollection>'), 'x.xml', 'application/gml+xml'],
    ['KML', Buffer.from('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"></kml>'), 'x.xml', 'application/vnd.google-earth.kml+xml'],
    ['RDF/XML', Buffer.from('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'), 'x', 'application/rdf+xml'],
    ['HTML disguised as CSV', Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'), 'harmlos.csv', 'text/html'],
    ['plain text', Buffer.from('Hinweise zur Nutzung der Daten.\n'), 'liesmich', 'text/plain'],
    ['a PDF named .csv', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), 'tabelle.csv', 'application/pdf'],
    ['a PNG', Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'), 'x.csv', 'image/png'],
    ['gzip', gzipSync(Buffer.from('hallo')), 'x.csv', 'application/gzip'],
    ['an XLSX', zip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' }), 'x.zip', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['a zipped shapefile', zip({ 'gebiete.shp': 'x', 'gebiete.dbf': 'y' }), 'gebiete.xlsx', 'application/zip'],
    ['binary junk', Buffer.from([0, 1, 2, 3, 254, 255, 0, 7, 9, 200]), 'x.csv', 'application/octet-stream'],
    ['an empty file', Buffer.alloc(0), 'leer.csv', 'application/octet-stream'],
  ])('recognises %s', async (_label, content, name, expected) => {
    expect(await sniffMimetype(content, name)).toBe(expected);
  });

  it('recognises an ESRI shapefile by its header', async () => {
    const shp = Buffer.alloc(100);
    shp.writeUInt32BE(9994, 0);
    shp.writeInt32LE(1000, 28);
    expect(await sniffMimetype(shp, 'x.bin')).toBe('application/x-esri-shape');
  });

  it('does not call text binary because the sample cut a character or a line in half', async () => {
    const line = 'straße;größe;äöü\n';
    let text = '';
    while (Buffer.byteLength(text) < SNIFF_BYTES + 100) text += line;
    const sample = Buffer.from(text).subarray(0, SNIFF_BYTES); // may end inside "ß" and inside a row
    expect(await sniffMimetype(sample, 'tabelle')).toBe('text/csv');
  });
});
