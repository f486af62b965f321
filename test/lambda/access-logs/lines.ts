/**
 * Access log lines written from the documented Classic ELB and ALB layouts (the AWS user
 * guides' field tables and examples), plus the incident's own line.
 */

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-targets/73e2d6bc24d8a067';

export const CLASSIC = {
  /** The incident's line, exactly: no backend, all processing times -1, 504, backend status 0. */
  seed: '2018-12-04T21:46:54.679150Z my-elb 203.0.113.9:55555 - -1 -1 -1 504 0 0 0',
  /** The documented HTTP example. */
  http: '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -',
  /** The documented TCP example: no status codes, the request is three dashes and a space. */
  tcp: '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -',
  /** The current layout, a hang-up, with a user agent full of spaces and an HTTPS cipher. */
  hangup: '2018-12-04T21:47:01.112233Z my-elb 198.51.100.7:40000 - -1 -1 -1 504 0 0 0 "POST https://api.example.com:443/orders?id=1 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64) Firefox/63.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2',
  /** A 502 where the backend address and status were logged as dashes. */
  hangup502: '2018-12-04T21:47:02.000001Z my-elb 198.51.100.8:40001 - -1 -1 -1 502 - 0 0 "GET http://api.example.com:80/health HTTP/1.1" "kube-probe/1.12" - -',
  /** A slow backend: the request was dispatched (a request processing time), then the idle timeout passed. */
  slow504: '2018-12-04T21:47:03.000001Z my-elb 198.51.100.9:40002 10.0.0.1:80 0.000041 -1 -1 504 0 0 0 "GET http://api.example.com:80/report HTTP/1.1" "curl/7.38.0" - -',
  /** The first layout (2014): ends with the request. */
  layout2014: '2014-03-04T10:00:00.000001Z my-elb 192.0.2.10:1024 10.0.0.2:8080 0.000020 0.002000 0.000010 200 200 0 12 "GET http://api.example.com:80/v1 HTTP/1.1"',
  /** An IPv6 client, bracketed. */
  ipv6: '2018-12-04T21:48:00.500000Z my-elb [2001:db8::7]:50000 10.0.0.1:80 0.000040 0.001000 0.000030 200 200 0 29 "GET http://[2001:db8::1]:80/ HTTP/1.1" "curl/7.38.0" - -',
} as const;

export const ALB = {
  /** The first layout (2016): ends with the target group. */
  layout2016: `https 2016-08-10T00:10:33.145057Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.001 0.003 0.000 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${TG}`,
  /** The documented 2018 HTTP example, up to error_reason. */
  layout2018: `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - ${TG} "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-"`,
  /**
   * Every field known today, a hang-up: an IPv6 client without brackets, a request line and
   * a user agent with spaces and an escaped quote.
   */
  current: `h2 2026-11-25T18:00:01.123456Z app/k8s-web/50dc6c495c0c9188 2001:db8:85a3::8a2e:370:7334:44950 10.0.3.17:30080 0.001 -1 -1 502 - 510 277 "POST https://web.example.com:443/api/cart?note=a b HTTP/2.0" "Mozilla/5.0 (Macintosh) \\"quoted\\" agent" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${TG} "Root=1-67a1b2c3-0123456789abcdef01234567" "web.example.com" "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2026-11-25T18:00:01.120000Z "forward" "-" "-" "10.0.3.17:30080" "-" "-" "-" TID_0123456789abcdef "-" "-" "-"`,
  /** The documented failed Lambda request: 502 and no target status, but no target either. */
  lambdaFailed: `http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - ${TG} "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse"`,
  /** A slow target: dispatched, then no response within the idle timeout. */
  slow504: `http 2026-11-25T18:01:05.000000Z app/k8s-web/50dc6c495c0c9188 192.0.2.1:3000 10.0.3.17:30080 0.000 -1 -1 504 - 120 0 "GET http://web.example.com:80/report HTTP/1.1" "curl/8.4.0" - - ${TG} "Root=1-67a1b2c3-0123456789abcdef01234568" "-" "-" 2 2026-11-25T17:59:05.000000Z "forward" "-" "-" "10.0.3.17:30080" "-" "-" "-" TID_0123456789abcdee`,
  /** A 504 with nothing dispatched: counted as a hang-up. */
  undispatched504: `http 2026-11-25T18:01:06.000000Z app/k8s-web/50dc6c495c0c9188 192.0.2.2:3001 10.0.3.18:30080 -1 -1 -1 504 - 120 0 "GET http://web.example.com:80/ HTTP/1.1" "curl/8.4.0" - - ${TG} "Root=1-67a1b2c3-0123456789abcdef01234569" "-" "-" 2 2026-11-25T18:00:06.000000Z "forward" "-" "-" "10.0.3.18:30080" "-" "-" "-" TID_0123456789abcdef`,
} as const;

export const MALFORMED = {
  /** Cut in the middle of the request line. */
  truncatedInQuote: 'http 2026-11-25T18:00:01.123456Z app/k8s-web/50dc6c495c0c9188 192.0.2.1:3000 10.0.3.17:30080 0.001 0.002 0.000 200 200 510 277 "POST https://web.exa',
  /** Cut after ten fields. */
  truncatedAlb: 'http 2026-11-25T18:00:01.123456Z app/k8s-web/50dc6c495c0c9188 192.0.2.1:3000 10.0.3.17:30080 0.001 0.002 0.000 200 200',
  /** A Classic line cut after the user agent: 13 fields, no documented layout. */
  truncatedClassic: '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0"',
  /** Cut in the middle of its timestamp. */
  truncatedTime: '2018-12-04T21:4',
  garbage: '<html><body>Access Denied</body></html>',
  binary: '\u0000\u0001\u0002\u00ff\u00fe',
  badStatus: '2018-12-04T21:46:54.679150Z my-elb 203.0.113.9:55555 - -1 -1 -1 5o4 0 0 0',
} as const;
