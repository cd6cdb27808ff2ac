import { Invalid } from '../../api/ckan-schema';
import { toApprovalDict } from '../datasets/dataset.dict';
import type { StoredApproval } from '../datasets/dataset.repository';
import { strictBoolean } from '../organizations/group.dto';

const AT = '2026-12-06T06:00:00.123456+00:00';
const record = (o: Partial<StoredApproval>): StoredApproval => ({
  status: 'pending', note: null, decided_by: null, decided_at: null, submitted_by: 'eva', submitted_at: AT, ...o,
});

describe('package_show approval', () => {
  it('is absent while the organization does not require approval and the dataset never went through the workflow', () => {
    expect(toApprovalDict({ state: 'active', approval_required: false, approval: null })).toBeUndefined();
    expect(toApprovalDict({ state: 'draft', approval_required: null, approval: null })).toBeUndefined();
  });

  it('shows a published dataset of an organization that requires approval, with nobody named when it predates the workflow', () => {
    expect(toApprovalDict({ state: 'active', approval_required: true, approval: null })).toEqual({
      status: 'published', note: null, by: null, at: null, submitted_by: null, submitted_at: null,
    });
  });

  it('names the submitter while pending and keeps the note of the last send-back for the approver', () => {
    expect(toApprovalDict({ state: 'pending', approval_required: true, approval: record({ note: 'Lizenz fehlt' }) })).toEqual({
      status: 'pending', note: 'Lizenz fehlt', by: 'eva', at: '2026-12-06T06:00:00.123456', submitted_by: 'eva', submitted_at: '2026-12-06T06:00:00.123456',
    });
  });

  it('shows a draft that an approver returned as sent_back, with the note, who and when', () => {
    const a = record({ status: 'sent_back', note: 'Titel fehlt', decided_by: 'amt', decided_at: AT });
    expect(toApprovalDict({ state: 'draft', approval_required: true, approval: a })).toMatchObject({ status: 'sent_back', note: 'Titel fehlt', by: 'amt', at: '2026-12-06T06:00:00.123456' });
  });

  it('follows the state when it changed outside the workflow actions: a published record on a draft is a plain draft', () => {
    const a = record({ status: 'published', decided_by: 'amt', decided_at: AT });
    expect(toApprovalDict({ state: 'draft', approval_required: true, approval: a })).toMatchObject({ status: 'draft', by: null, at: null });
    expect(toApprovalDict({ state: 'active', approval_required: false, approval: a })).toMatchObject({ status: 'published', by: 'amt' });
  });

  it('is absent for a deleted dataset', () => {
    expect(toApprovalDict({ state: 'deleted', approval_required: true, approval: record({}) })).toBeUndefined();
  });
});

describe('approval_required input', () => {
  it.each([[true, true], [false, false], ['true', true], ['False', false], ['yes', true], ['0', false], [1, true], [0, false]])('reads %p as %p', (given, read) => {
    expect(strictBoolean(given, {})).toBe(read);
  });

  it.each([['maybe'], [2], [''], [{}], [['true']]])('refuses %p with a field message', (given) => {
    expect(strictBoolean(given, {})).toEqual(new Invalid('Must be true or false'));
  });
});
