//go:build rie && linux

// Package e2e runs the built bootstrap binaries under the AWS Lambda Runtime Interface
// Emulator (RIE), against DynamoDB in the local AWS emulator (moto), with real invocations.
// scripts/test.sh builds the binaries and the RIE and runs it; by hand:
//
//	GOFN_RIE=.cache/bin/aws-lambda-rie GOFN_MOTO=../.venv/bin/moto_server \
//	GOFN_BOOTSTRAPS=dist go test -tags rie -count=1 ./e2e          # on linux/arm64
//	GOFN_BOOTSTRAPS=.cache/host go test -tags rie -count=1 ./e2e   # elsewhere
//
// On a linux/arm64 host the tests run the shipped binaries in dist/. Elsewhere those cannot
// execute, and scripts/test.sh builds the same source with the same flags for the host's
// GOARCH into .cache/host.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Dummy credentials: moto accepts any, and they keep a developer's real ones out of the run.
var awsEnv = []string{
	"AWS_REGION=us-east-1",
	"AWS_ACCESS_KEY_ID=testing",
	"AWS_SECRET_ACCESS_KEY=testing",
	"AWS_CONFIG_FILE=/dev/null",
	"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	"AWS_EC2_METADATA_DISABLED=true",
}

// mustEnv reads a path the test script passes in; running without it is a set-up error,
// not a reason to skip, since the rie build tag already asked for this test.
func mustEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set; run workloads/scripts/test.sh", name)
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// freePort asks the kernel for a free loopback port.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects a child process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type process struct {
	name string
	pid  int
	out  *syncBuffer
	done chan struct{}
}

// started lists every child, so TestMain can stop them on exit or on a signal.
var started struct {
	mu    sync.Mutex
	procs []*process
}

func stopAll() {
	started.mu.Lock()
	procs := started.procs
	started.mu.Unlock()
	for _, p := range procs {
		p.stop()
	}
}

// start runs a child in its own process group, so stop takes its children (the RIE's
// bootstrap) with it, and with a parent-death signal, so a killed test leaves nothing behind.
func start(name string, env []string, argv ...string) (*process, error) {
	p := &process{name: name, out: &syncBuffer{}, done: make(chan struct{})}
	attr := &os.ProcAttr{
		Env:   env,
		Files: []*os.File{nil, nil, nil},
		Sys:   &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	attr.Files[1], attr.Files[2] = w, w
	proc, err := os.StartProcess(argv[0], argv, attr)
	w.Close()
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.pid = proc.Pid
	started.mu.Lock()
	started.procs = append(started.procs, p)
	started.mu.Unlock()
	go func() {
		_, _ = io.Copy(p.out, r)
		r.Close()
		_, _ = proc.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop ends the process group and waits; stopping a stopped process is a no-op.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-p.pid, syscall.SIGKILL)
		<-p.done
	}
}

// waitListening polls until addr accepts connections or the process exits.
func (p *process) waitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited:\n%s", p.name, p.out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not listening on %s after %v:\n%s", p.name, addr, timeout, p.out.String())
}

// function is one bootstrap running under its own RIE.
type function struct {
	url     string
	rie     *process
	invoked int

	// traceHeader is what a traced function's next invocation gets as Lambda-Runtime-Trace-Id.
	mu          sync.Mutex
	traceHeader string
}

// startFunction runs <GOFN_BOOTSTRAPS>/<name>/bootstrap under the RIE on free loopback ports
// (the RIE's own API and the Runtime API it serves the bootstrap) with env added to awsEnv.
func startFunction(t *testing.T, name string, env ...string) *function {
	return launch(t, name, false, env...)
}

// startTracedFunction is startFunction with the trace header Lambda gives every invocation of
// a function with active tracing. The RIE reads X-Amzn-Trace-Id from an invoke request but does
// not pass it on to the function, so the bootstrap reaches the RIE's Runtime API through a
// proxy that adds Lambda-Runtime-Trace-Id (set with setTraceHeader) to each invocation it
// hands out, as Lambda's Runtime API does. Everything else is the RIE's.
func startTracedFunction(t *testing.T, name string, env ...string) *function {
	return launch(t, name, true, env...)
}

func (f *function) setTraceHeader(h string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.traceHeader = h
}

func launch(t *testing.T, name string, traced bool, env ...string) *function {
	t.Helper()
	bootstrap := filepath.Join(mustEnv(t, "GOFN_BOOTSTRAPS"), name, "bootstrap")
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	runtimeAPI := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	fn := &function{url: "http://" + addr + "/2015-03-31/functions/function/invocations"}
	command := []string{bootstrap}
	if traced {
		// The RIE sets AWS_LAMBDA_RUNTIME_API itself; env(1) points the bootstrap at the proxy.
		proxy := runtimeAPIProxy(t, runtimeAPI, fn)
		command = []string{"/usr/bin/env", "AWS_LAMBDA_RUNTIME_API=" + proxy, bootstrap}
	}
	fullEnv := append([]string{
		"PATH=/usr/bin:/bin",
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"GOMEMLIMIT=115MiB",
	}, append(awsEnv, env...)...)
	rie, err := start("aws-lambda-rie", fullEnv, append([]string{mustEnv(t, "GOFN_RIE"),
		"--log-level", "warn",
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", runtimeAPI,
	}, command...)...)
	if err != nil {
		t.Fatal(err)
	}
	fn.rie = rie
	t.Cleanup(func() {
		rie.stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, rie.out.String())
		}
	})
	if err := rie.waitListening(addr, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	return fn
}

// runtimeAPIProxy forwards the bootstrap's Runtime API requests to the RIE and adds fn's trace
// header to each invocation; it returns the proxy's host:port. It closes after the RIE stops
// (cleanups run last-registered first), when the bootstrap's pending long poll has ended.
func runtimeAPIProxy(t *testing.T, runtimeAPI string, fn *function) string {
	t.Helper()
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: runtimeAPI})
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodGet && strings.HasSuffix(resp.Request.URL.Path, "/runtime/invocation/next") &&
			resp.StatusCode == http.StatusOK {
			fn.mu.Lock()
			if fn.traceHeader != "" {
				resp.Header.Set("Lambda-Runtime-Trace-Id", fn.traceHeader)
			}
			fn.mu.Unlock()
		}
		return nil
	}
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// invoke posts one event, as the Lambda Invoke API would, and returns the raw response.
func (f *function) invoke(t *testing.T, event any) []byte {
	t.Helper()
	body, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: HTTP %d, %v: %s", resp.StatusCode, err, out)
	}
	// The RIE answers before it has relayed the function's output and printed the REPORT line,
	// as Lambda does; wait for the REPORT, which comes after the invocation's log lines.
	f.invoked++
	deadline := time.Now().Add(5 * time.Second)
	for len(f.reportLines()) < f.invoked {
		if time.Now().After(deadline) {
			t.Fatalf("no REPORT line for invocation %d after 5s:\n%s", f.invoked, f.rie.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out
}

// logLines returns the function's JSON log lines (the RIE's own lines are plain text).
func (f *function) logLines() []map[string]any {
	var lines []map[string]any
	for l := range strings.Lines(f.rie.out.String()) {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			lines = append(lines, m)
		}
	}
	return lines
}

// reportLines returns the REPORT lines the RIE prints after each invocation, as Lambda does.
func (f *function) reportLines() []string {
	var lines []string
	for l := range strings.Lines(f.rie.out.String()) {
		if strings.HasPrefix(l, "REPORT RequestId:") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return lines
}

// moto is the AWS emulator shared by the tests in this package.
var moto struct {
	once     sync.Once
	endpoint string
	proc     *process
	err      error
}

// motoEndpoint starts the emulator on first use and returns its URL.
func motoEndpoint(t *testing.T) string {
	t.Helper()
	moto.once.Do(func() {
		port := freePort(t)
		moto.proc, moto.err = start("moto_server", []string{"PATH=/usr/bin:/bin", "HOME=" + os.TempDir()},
			mustEnv(t, "GOFN_MOTO"), "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		if moto.err == nil {
			moto.err = moto.proc.waitListening(fmt.Sprintf("127.0.0.1:%d", port), 60*time.Second)
		}
		moto.endpoint = fmt.Sprintf("http://127.0.0.1:%d", port)
	})
	if moto.err != nil {
		t.Fatal(moto.err)
	}
	return moto.endpoint
}

// TestMain stops the emulators when the tests end, and also when the run is interrupted
// (scripts/test.sh's trap sends SIGTERM): nothing started here outlives the run.
func TestMain(m *testing.M) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-sig
		stopAll()
		os.Exit(128 + int(s.(syscall.Signal)))
	}()
	code := m.Run()
	stopAll()
	os.Exit(code)
}

// dynamoClient talks to the emulator directly, to set up tables and check what was written.
func dynamoClient(t *testing.T) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(motoEndpoint(t)),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		}),
	})
}
