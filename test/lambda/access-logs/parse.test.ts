import { splitFields } from '../../../lambda/access-logs/fields';
import { parseAccessLogLine, type AccessLogEntry, type AlbEntry } from '../../../lambda/access-logs/parse';
import { isBackendHangup } from '../../../lambda/access-logs/signature';
import { ALB, CLASSIC, MALFORMED } from './lines';

function entryOf(line: string): AccessLogEntry {
  const parsed = parseAccessLogLine(line);
  if (!parsed.ok) throw new Error(`expected an entry, got: ${parsed.reason}`);
  return parsed.entry;
}

describe('splitFields', () => {
  it('keeps quoted fields whole, spaces and escaped quotes included', () => {
    // Act
    const fields = splitFields('a "b c" "d \\"e\\" f" - "" "\\\\"');

    // Assess
    expect(fields).toEqual(['a', 'b c', 'd "e" f', '-', '', '\\']);
  });

  it('refuses a quoted field that is never closed or runs into the next field', () => {
    // Act & Assess
    expect(splitFields('a "b c')).toBeNull();
    expect(splitFields('a "b"c d')).toBeNull();
  });
});

describe('parseAccessLogLine on Classic ELB entries', () => {
  it("reads the incident's exact line: no backend, all processing times -1, 504, backend status 0", () => {
    // Act
    const entry = entryOf(CLASSIC.seed);

    // Assess
    expect(entry).toEqual({
      format: 'classic',
      timeMs: Date.UTC(2018, 11, 4, 21, 46, 54, 679),
      loadBalancer: 'my-elb',
      dimension: 'my-elb',
      target: null,
      requestProcessingS: -1,
      targetProcessingS: -1,
      responseProcessingS: -1,
      elbStatus: 504,
      targetStatus: 0,
    });
    expect(isBackendHangup(entry)).toBe(true);
  });

  it('reads the documented HTTP example field by field', () => {
    // Act
    const entry = entryOf(CLASSIC.http);

    // Assess
    expect(entry).toMatchObject({
      loadBalancer: 'my-loadbalancer',
      target: { host: '10.0.0.1', port: 80 },
      requestProcessingS: 0.000073,
      targetProcessingS: 0.001048,
      responseProcessingS: 0.000057,
      elbStatus: 200,
      targetStatus: 200,
    });
    expect(isBackendHangup(entry)).toBe(false);
  });

  it('reads a TCP listener entry, whose status codes are dashes and whose request is "- - - "', () => {
    // Act
    const entry = entryOf(CLASSIC.tcp);

    // Assess
    expect(entry).toMatchObject({ loadBalancer: 'my-loadbalancer', elbStatus: null, targetStatus: null });
    expect(isBackendHangup(entry)).toBe(false);
  });

  it('reads the current layout with a spaced user agent and TLS fields, and the 2014 layout that ends with the request', () => {
    // Act
    const current = entryOf(CLASSIC.hangup);
    const old = entryOf(CLASSIC.layout2014);

    // Assess
    expect(current).toMatchObject({ loadBalancer: 'my-elb', target: null, elbStatus: 504, targetStatus: 0 });
    expect(old).toMatchObject({ loadBalancer: 'my-elb', target: { host: '10.0.0.2', port: 8080 }, elbStatus: 200, targetStatus: 200 });
  });

  it('reads an entry with an IPv6 client in brackets', () => {
    // Act & Assess
    expect(entryOf(CLASSIC.ipv6)).toMatchObject({ loadBalancer: 'my-elb', target: { host: '10.0.0.1', port: 80 }, elbStatus: 200 });
  });

  it.each([
    ['the seed line', true, CLASSIC.seed],
    ['a 504 in the current layout', true, CLASSIC.hangup],
    ['a 502 with dashes for backend and status', true, CLASSIC.hangup502],
    ['a slow backend (dispatched, then timed out)', false, CLASSIC.slow504],
    ['a TCP listener entry', false, CLASSIC.tcp],
    ['a normal 200', false, CLASSIC.http],
  ])('judges %s as a hang-up: %s', (_name, hangup, line) => {
    // Act & Assess
    expect(isBackendHangup(entryOf(line))).toBe(hangup);
  });
});

describe('parseAccessLogLine on ALB entries', () => {
  it('reads the first layout (2016), which ends with the target group', () => {
    // Act
    const entry = entryOf(ALB.layout2016) as AlbEntry;

    // Assess
    expect(entry).toMatchObject({ format: 'alb', loadBalancer: 'my-loadbalancer', errorReason: null });
  });

  it('reads the documented 2018 example up to error_reason', () => {
    // Act
    const entry = entryOf(ALB.layout2018) as AlbEntry;

    // Assess
    expect(entry).toMatchObject({ loadBalancer: 'my-loadbalancer', target: { host: '10.0.0.1', port: 80 }, elbStatus: 200, errorReason: null });
    expect(isBackendHangup(entry)).toBe(false);
  });

  it('reads every field known today, an unbracketed IPv6 client, and a request line and user agent with spaces and quotes', () => {
    // Act
    const entry = entryOf(ALB.current) as AlbEntry;

    // Assess
    expect(entry).toMatchObject({
      format: 'alb',
      loadBalancer: 'k8s-web',
      // AWS's own identity of the ALB, as AWS/ApplicationELB's LoadBalancer dimension has it
      dimension: 'app/k8s-web/50dc6c495c0c9188',
      target: { host: '10.0.3.17', port: 30080 },
      requestProcessingS: 0.001,
      targetProcessingS: -1,
      elbStatus: 502,
      targetStatus: null,
      errorReason: null,
    });
    expect(isBackendHangup(entry)).toBe(true);
  });

  it('keeps fields AWS appends later instead of rejecting the line', () => {
    // Act
    const entry = entryOf(`${ALB.current} "a-new-field" 42`) as AlbEntry;

    // Assess
    expect(entry).toMatchObject({ loadBalancer: 'k8s-web', errorReason: null });
    expect(isBackendHangup(entry)).toBe(true);
  });

  it.each([
    ['a 502 from a target that hung up', true, ALB.current],
    ['a 504 with nothing dispatched', true, ALB.undispatched504],
    ['a 504 from a slow target', false, ALB.slow504],
    ['a failed Lambda target (no target, LambdaInvalidResponse)', false, ALB.lambdaFailed],
    ['a normal 200', false, ALB.layout2018],
  ])('judges %s as a hang-up: %s', (_name, hangup, line) => {
    // Act & Assess
    expect(isBackendHangup(entryOf(line))).toBe(hangup);
  });
});

describe('parseAccessLogLine on malformed lines', () => {
  it.each([
    ['an ALB line cut inside its request', MALFORMED.truncatedInQuote, 'a quoted field is not closed'],
    ['an ALB line cut after ten fields', MALFORMED.truncatedAlb, '10 fields: an ALB entry (here of type "http") has at least 17'],
    ['a Classic line cut after its user agent', MALFORMED.truncatedClassic, '13 fields: a Classic ELB entry has 11, 12, 15 or more'],
    ['a line cut in its timestamp', MALFORMED.truncatedTime, '1 fields: a Classic ELB entry has 11, 12, 15 or more'],
    ['an HTML error page', MALFORMED.garbage, '"<html><body>Access" starts neither an ALB entry (a type such as http) nor a Classic ELB entry (a timestamp)'],
    ['binary noise', MALFORMED.binary, 'starts neither an ALB entry'],
    ['a letter in a status code', MALFORMED.badStatus, 'elb_status_code "5o4" is not an HTTP status code or -'],
    ['an empty line', '', 'an empty line'],
    ['an impossible date', CLASSIC.seed.replace('2018-12-04', '2018-13-45'), 'timestamp "2018-13-45T21:46:54.679150Z" is not a real date and time'],
    ['a port out of range', CLASSIC.seed.replace(':55555', ':99999'), 'client:port "203.0.113.9:99999" is not an address and port'],
    ['an ALB resource id that is not app/NAME/ID', ALB.layout2016.replace('app/my-loadbalancer/', 'net/my-loadbalancer/'), 'elb "net/my-loadbalancer/50dc6c495c0c9188" is not app/NAME/ID'],
  ])('says why %s is malformed', (_name, line, reason) => {
    // Act
    const parsed = parseAccessLogLine(line);

    // Assess
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});
