package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// With active tracing, Lambda runs an X-Ray daemon next to every execution environment and
// tells the function where it listens in AWS_XRAY_DAEMON_ADDRESS (169.254.79.129:2000). The
// daemon takes segment documents over UDP, one per datagram, each after a one-line header, and
// forwards them to X-Ray: this is how the X-Ray SDKs report a function's subsegments, and it
// needs no layer, no extension and no setting beyond Tracing: Active.

// daemonHeader precedes every document sent to the daemon.
const daemonHeader = `{"format": "json", "version": 1}` + "\n"

// maxDatagram is the largest document the daemon takes in one datagram (64 KB, header included).
const maxDatagram = 64 * 1024

// xrayDaemonExporter sends spans to the X-Ray daemon as subsegment documents (see xraydoc.go).
// ExportSpans writes one datagram per span on the caller's goroutine and returns when they are
// written: the invocation wrapper calls it before the handler returns, so nothing is left to
// send, and nothing runs, between invocations.
type xrayDaemonExporter struct {
	addr *net.UDPAddr

	mu   sync.Mutex
	conn *net.UDPConn // made on first use, dropped after a failed write
}

// XRayDaemonExporterFromEnv returns an exporter to the daemon named by AWS_XRAY_DAEMON_ADDRESS,
// or nil when the variable is empty (a developer's machine, the emulator).
func XRayDaemonExporterFromEnv() (sdktrace.SpanExporter, error) {
	address := os.Getenv("AWS_XRAY_DAEMON_ADDRESS")
	if address == "" {
		return nil, nil
	}
	return NewXRayDaemonExporter(address)
}

// NewXRayDaemonExporter returns an exporter to the daemon at address: "host:port", as Lambda
// sets it, or the X-Ray SDKs' two-address form "tcp:host:port udp:host:port" (only UDP is used).
func NewXRayDaemonExporter(address string) (sdktrace.SpanExporter, error) {
	udp := ""
	for field := range strings.FieldsSeq(address) {
		switch {
		case strings.HasPrefix(field, "udp:"):
			udp = strings.TrimPrefix(field, "udp:")
		case strings.HasPrefix(field, "tcp:"):
		case udp == "":
			udp = field
		}
	}
	if udp == "" {
		return nil, fmt.Errorf("X-Ray daemon address %q names no UDP address", address)
	}
	addr, err := net.ResolveUDPAddr("udp", udp)
	if err != nil {
		return nil, fmt.Errorf("X-Ray daemon address %q: %w", address, err)
	}
	return &xrayDaemonExporter{addr: addr}, nil
}

func (e *xrayDaemonExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	docs, err := subsegmentDocuments(spans)
	if len(docs) == 0 {
		return err
	}
	errs := []error{err}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		conn, err := net.DialUDP("udp", nil, e.addr)
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("X-Ray daemon %s: %w", e.addr, err))...)
		}
		e.conn = conn
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(flushTimeout)
	}
	_ = e.conn.SetWriteDeadline(deadline)
	for _, doc := range docs {
		datagram := append([]byte(daemonHeader), doc...)
		if len(datagram) > maxDatagram {
			errs = append(errs, fmt.Errorf("subsegment of %d bytes is over the daemon's 64 KB", len(datagram)))
			continue
		}
		if _, err := e.conn.Write(datagram); err != nil {
			// A connected UDP socket reports an earlier datagram's ICMP "port unreachable" on a
			// later write; start afresh next time rather than keep a socket in that state.
			_ = e.conn.Close()
			e.conn = nil
			return errors.Join(append(errs, fmt.Errorf("X-Ray daemon %s: %w", e.addr, err))...)
		}
	}
	return errors.Join(errs...)
}

func (e *xrayDaemonExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return nil
	}
	err := e.conn.Close()
	e.conn = nil
	return err
}
