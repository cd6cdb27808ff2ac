import { decodeSample } from './decode';

describe('decodeSample (the head of a file, for previews)', () => {
  it('reads UTF-8 with and without BOM, and Latin-1 as Windows-1252 as the loader does', () => {
    expect(decodeSample(Buffer.from('\ufeffOrt;Wert\nKöln;1\n', 'utf8'))).toEqual({ text: 'Ort;Wert\nKöln;1\n', encoding: 'UTF-8' });
    expect(decodeSample(Buffer.from('Größe,Straße\nMüllerweg,3\n', 'utf8'))?.text).toBe('Größe,Straße\nMüllerweg,3\n');
    const latin = decodeSample(Buffer.concat([Buffer.from('Stra\xdfe;Gr\xf6\xdfe;Betrag\nM\xfcllerweg;3;5 ', 'latin1'), Buffer.from([0x80]), Buffer.from('\n')]));
    expect(latin?.text).toBe('Straße;Größe;Betrag\nMüllerweg;3;5 €\n');
  });

  it('refuses binary data', () => {
    expect(decodeSample(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3, 0, 0, 0xff, 0xfe, 0, 7]))).toBeNull();
  });
});
