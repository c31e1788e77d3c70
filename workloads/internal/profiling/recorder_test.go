//go:build linux

package profiling

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// fakeClock is the recorder's clock, moved by the test: windows of seconds or minutes pass
// instantly, while the CPU the handlers burn is real.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *fakeClock) add(d time.Duration) { c.set(c.now().Add(d)) }

// logLines captures the JSON log lines written while a test runs.
func logLines(t *testing.T) func() []map[string]any {
	t.Helper()
	var mu sync.Mutex
	var buf bytes.Buffer
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		var lines []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil {
				lines = append(lines, m)
			}
		}
		return lines
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func messages(lines []map[string]any, level string) []string {
	var out []string
	for _, l := range lines {
		if l["level"] == level {
			out = append(out, fmt.Sprint(l["msg"]))
		}
	}
	return out
}

// world is one emulator account: a flag parameter and a bucket, unique to the test.
type world struct {
	endpoint  string
	parameter string
	bucket    string
	ssmCalls  *countingTransport
	ssm       *ssm.Client
	s3        *s3.Client
}

func newWorld(t *testing.T) *world {
	t.Helper()
	endpoint := motoEndpoint(t)
	id := fmt.Sprintf("%x", sha256.Sum256([]byte(t.Name())))[:12]
	w := &world{endpoint: endpoint, parameter: "/gofn/profile/" + id, bucket: "gofn-profiles-" + id,
		ssmCalls: &countingTransport{}}
	w.ssm = ssmClient(endpoint, w.ssmCalls)
	w.s3 = s3Client(endpoint)
	if _, err := w.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(w.bucket)}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) setFlag(t *testing.T, value string) {
	t.Helper()
	_, err := w.ssm.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(w.parameter), Value: aws.String(value), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func flagJSON(version, session string, until time.Time, seconds int) string {
	b, _ := json.Marshal(Flag{Version: version, Session: session, Until: until, Seconds: seconds})
	return string(b)
}

func (w *world) recorder(clock *fakeClock, instance, version string) *Recorder {
	return New(Config{Function: "orders-api", Version: version, Instance: instance, Now: clock.now, FlagTTL: 30 * time.Second},
		NewSSMFlag(emulatorConfig(w.endpoint, w.ssmCalls), w.parameter), NewS3Uploader(emulatorConfig(w.endpoint, http.DefaultTransport), w.bucket))
}

// keys lists the bucket.
func (w *world) keys(t *testing.T) []string {
	t.Helper()
	out, err := w.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(w.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func (w *world) object(t *testing.T, key string) ([]byte, map[string]string) {
	t.Helper()
	out, err := w.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(w.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, out.Metadata
}

type order struct{ ID string }

// burnChecksums is the handler's work: real CPU for the profile to see, under a name to find.
func burnChecksums(d time.Duration) {
	sum := sha256.Sum256([]byte("gofn"))
	for start := time.Now(); time.Since(start) < d; {
		sum = sha256.Sum256(sum[:])
	}
}

func pricingHandler(ctx context.Context, o order) (string, error) {
	burnChecksums(150 * time.Millisecond)
	return "priced " + o.ID, nil
}

var t0 = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

func TestRecordsCPUAcrossInvocationsOfTheWindowAndUploadsCPUAndHeap(t *testing.T) {
	// Prepare
	w := newWorld(t)
	clock := &fakeClock{t: t0}
	w.setFlag(t, flagJSON("7", "sess-1", t0.Add(2*time.Minute), 2))
	rec := w.recorder(clock, "inst-a", "7")
	h := Wrap(rec, func(ctx context.Context, o order) (string, error) {
		out, err := pricingHandler(ctx, o)
		if o.ID == "o-2" {
			clock.set(t0.Add(2500 * time.Millisecond)) // this one returns after the window
		}
		return out, err
	})
	ctx := context.Background()

	// Act: three invocations in the window, the third ends after it.
	var outs []string
	var recordingBetween bool
	for i, at := range []time.Duration{0, time.Second, 1500 * time.Millisecond} {
		clock.set(t0.Add(at))
		out, err := h(ctx, order{ID: fmt.Sprint("o-", i)})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
		if i == 1 {
			recordingBetween = rec.Recording()
		}
	}
	recordingAfter := rec.Recording()
	clock.set(t0.Add(3 * time.Second))
	_, _ = h(ctx, order{ID: "o-after"}) // the flag is still on: the same session does not record twice

	// Assess
	if strings.Join(outs, ",") != "priced o-0,priced o-1,priced o-2" {
		t.Fatalf("handler outputs %q", outs)
	}
	if !recordingBetween || recordingAfter || rec.Recording() {
		t.Fatalf("recording: between invocations %v, after the window %v", recordingBetween, recordingAfter || rec.Recording())
	}
	base := "profiles/orders-api/7/inst-a/20261126T150000Z-sess-1"
	if got := strings.Join(w.keys(t), " "); got != base+"-cpu.pb.gz "+base+"-heap.pb.gz" {
		t.Fatalf("objects %q", got)
	}
	cpu, meta := w.object(t, base+"-cpu.pb.gz")
	p, err := decodeProfile(cpu)
	if err != nil {
		t.Fatal(err)
	}
	if meta["invocations"] != "3" || meta["session"] != "sess-1" {
		t.Fatalf("metadata %v", meta)
	}
	if strings.Join(p.sampleTypes, ",") != "samples/count,cpu/nanoseconds" || p.samples == 0 {
		t.Fatalf("cpu profile: types %v, %d samples", p.sampleTypes, p.samples)
	}
	if !containsFunc(p.functions, "burnChecksums") {
		t.Fatalf("the handler's work is not in the profile: %v", p.functions)
	}
	heap, _ := w.object(t, base+"-heap.pb.gz")
	hp, err := decodeProfile(heap)
	if err != nil || !strings.HasPrefix(strings.Join(hp.sampleTypes, ","), "alloc_objects/count,alloc_space/bytes") {
		t.Fatalf("heap profile: %v, %v", hp.sampleTypes, err)
	}
	t.Logf("cpu profile %d bytes, %d samples; heap profile %d bytes", len(cpu), p.samples, len(heap))
	saveFixture(t, "orders-api-7-inst-a-cpu.pb.gz", cpu)
	saveFixture(t, "orders-api-7-inst-a-heap.pb.gz", heap)
}

func TestEachInstanceUploadsItsOwnProfileOfTheSameSession(t *testing.T) {
	// Prepare: two execution environments of version 7, and one of version 6. CPU profiling is
	// per process, and each environment is a process of its own: here they take turns.
	w := newWorld(t)
	clock := &fakeClock{t: t0}
	w.setFlag(t, flagJSON("7", "sess-2", t0.Add(time.Minute), 1))
	ctx := context.Background()
	serve := func(instance, version string) {
		h := Wrap(w.recorder(clock, instance, version), pricingHandler)
		_, _ = h(ctx, order{ID: "o"})
		_, _ = h(ctx, order{ID: "o"})
		clock.add(2 * time.Second)
		_, _ = h(ctx, order{ID: "o"})
	}

	// Act
	serve("inst-a", "7")
	serve("inst-c", "6")
	serve("inst-b", "7")

	// Assess
	var cpuKeys []string
	for _, k := range w.keys(t) {
		if strings.HasSuffix(k, "-cpu.pb.gz") {
			cpuKeys = append(cpuKeys, k)
		}
	}
	want := "profiles/orders-api/7/inst-a/20261126T150000Z-sess-2-cpu.pb.gz profiles/orders-api/7/inst-b/20261126T150004Z-sess-2-cpu.pb.gz"
	if strings.Join(cpuKeys, " ") != want {
		t.Fatalf("cpu profiles %q", cpuKeys)
	}
	body, _ := w.object(t, cpuKeys[1])
	saveFixture(t, "orders-api-7-inst-b-cpu.pb.gz", body)
}

func TestFlagIsReadOncePerTTLAndOffCostsNothingMore(t *testing.T) {
	// Prepare
	w := newWorld(t)
	clock := &fakeClock{t: t0}
	logs := logLines(t)
	rec := w.recorder(clock, "inst-a", "7")
	h := Wrap(rec, pricingHandlerFast)
	ctx := context.Background()

	// Act: no parameter at all, then "off", each for many invocations within a TTL.
	for i := 0; i < 20; i++ {
		_, _ = h(ctx, order{})
		clock.add(time.Second)
	}
	callsWhileMissing := w.ssmCalls.n.Load()
	w.setFlag(t, "off")
	before := w.ssmCalls.n.Load()
	for i := 0; i < 50; i++ {
		_, _ = h(ctx, order{})
		clock.add(time.Second)
	}
	callsWhileOff := w.ssmCalls.n.Load() - before

	// Assess: reads at 0 s, then at 30 s and 60 s: once per 30 s TTL, however many invocations.
	if callsWhileMissing != 1 || callsWhileOff != 2 {
		t.Fatalf("GetParameter requests: %d while missing, %d while off", callsWhileMissing, callsWhileOff)
	}
	if rec.Recording() || len(w.keys(t)) != 0 {
		t.Fatal("recorded while off")
	}
	if warns := messages(logs(), "WARN"); len(warns) != 0 {
		t.Fatalf("a missing or off flag is no warning: %v", warns)
	}
}

func pricingHandlerFast(ctx context.Context, o order) (string, error) { return "ok", nil }

func TestOnlyTheFlaggedVersionRecordsAndOnlyUntilTheFlagsEnd(t *testing.T) {
	// Prepare
	w := newWorld(t)
	clock := &fakeClock{t: t0}
	w.setFlag(t, flagJSON("7", "sess-3", t0.Add(-time.Second), 30))
	expired := w.recorder(clock, "inst-a", "7")
	w.setFlag(t, flagJSON("8", "sess-4", t0.Add(time.Minute), 30))
	otherVersion := w.recorder(clock, "inst-b", "7")

	// Act
	_, _ = Wrap(otherVersion, pricingHandlerFast)(context.Background(), order{})
	w.setFlag(t, flagJSON("7", "sess-3", t0.Add(-time.Second), 30))
	_, _ = Wrap(expired, pricingHandlerFast)(context.Background(), order{})

	// Assess
	if expired.Recording() || otherVersion.Recording() {
		t.Fatal("recording for another version or after the flag's end")
	}
}

func TestInstanceFrozenMidProfileStopsBeforeItsNextInvocationAndUploads(t *testing.T) {
	// Prepare
	w := newWorld(t)
	clock := &fakeClock{t: t0}
	w.setFlag(t, flagJSON("7", "sess-5", t0.Add(time.Minute), 30))
	rec := w.recorder(clock, "inst-a", "7")
	var recordingDuringSecond bool
	h := Wrap(rec, func(ctx context.Context, o order) (string, error) {
		if o.ID == "second" {
			recordingDuringSecond = rec.Recording()
		}
		return pricingHandler(ctx, o)
	})

	// Act: one invocation, then a freeze of ten minutes, far past the window.
	_, _ = h(context.Background(), order{ID: "first"})
	wasRecording := rec.Recording()
	clock.add(10 * time.Minute)
	out, err := h(context.Background(), order{ID: "second"})

	// Assess
	if !wasRecording || recordingDuringSecond || rec.Recording() {
		t.Fatalf("recording: after the first %v, during the second %v, after it %v", wasRecording, recordingDuringSecond, rec.Recording())
	}
	if out != "priced second" || err != nil {
		t.Fatalf("second invocation: %q, %v", out, err)
	}
	_, meta := w.object(t, "profiles/orders-api/7/inst-a/20261126T150000Z-sess-5-cpu.pb.gz")
	if meta["invocations"] != "1" || meta["seconds"] != "600.0" {
		t.Fatalf("metadata %v", meta)
	}
}

func TestFailuresAreLoggedAndNeverReachTheHandlersAnswer(t *testing.T) {
	handlerErr := errors.New("no such order")
	failing := func(ctx context.Context, o order) (string, error) {
		burnChecksums(10 * time.Millisecond)
		return "partial", handlerErr
	}

	t.Run("missing bucket", func(t *testing.T) {
		// Prepare
		w := newWorld(t)
		logs := logLines(t)
		clock := &fakeClock{t: t0}
		w.setFlag(t, flagJSON("7", "sess-6", t0.Add(time.Minute), 1))
		rec := New(Config{Function: "orders-api", Version: "7", Instance: "inst-a", Now: clock.now},
			NewSSMFlag(emulatorConfig(w.endpoint, http.DefaultTransport), w.parameter),
			NewS3Uploader(emulatorConfig(w.endpoint, http.DefaultTransport), "gofn-no-such-bucket"))
		h := Wrap(rec, failing)

		// Act
		_, _ = h(context.Background(), order{})
		clock.add(2 * time.Second)
		out, err := h(context.Background(), order{})

		// Assess
		if out != "partial" || !errors.Is(err, handlerErr) {
			t.Fatalf("handler answer changed: %q, %v", out, err)
		}
		if warns := messages(logs(), "WARN"); len(warns) != 1 || warns[0] != "profile upload failed; the profile is dropped" {
			t.Fatalf("warnings %v", warns)
		}
		if rec.Recording() {
			t.Fatal("still recording")
		}
	})

	t.Run("parameter store unreachable", func(t *testing.T) {
		// Prepare
		logs := logLines(t)
		clock := &fakeClock{t: t0}
		calls := &countingTransport{}
		rec := New(Config{Function: "orders-api", Version: "7", Instance: "inst-a", Now: clock.now},
			NewSSMFlag(emulatorConfig("http://127.0.0.1:1", calls), "/gofn/profile/x"),
			NewS3Uploader(emulatorConfig("http://127.0.0.1:1", calls), "gofn-profiles"))
		h := Wrap(rec, failing)

		// Act
		for i := 0; i < 10; i++ {
			_, err := h(context.Background(), order{})
			if !errors.Is(err, handlerErr) {
				t.Fatalf("handler answer changed: %v", err)
			}
			clock.add(time.Second)
		}

		// Assess: tried once in the TTL, warned once.
		if warns := messages(logs(), "WARN"); len(warns) != 1 || warns[0] != "profiling flag unreadable; profiling stays off" {
			t.Fatalf("warnings %v", warns)
		}
		if calls.n.Load() != 1 {
			t.Fatalf("%d requests to the parameter store", calls.n.Load())
		}
	})

	t.Run("malformed flag", func(t *testing.T) {
		// Prepare
		w := newWorld(t)
		logs := logLines(t)
		w.setFlag(t, `{"version":"7","seconds":30`)
		rec := w.recorder(&fakeClock{t: t0}, "inst-a", "7")

		// Act
		_, err := Wrap(rec, failing)(context.Background(), order{})

		// Assess
		if !errors.Is(err, handlerErr) || rec.Recording() {
			t.Fatalf("err %v, recording %v", err, rec.Recording())
		}
		if warns := messages(logs(), "WARN"); len(warns) != 1 || warns[0] != "profiling flag invalid; profiling stays off" {
			t.Fatalf("warnings %v", warns)
		}
	})

	t.Run("no time left to upload", func(t *testing.T) {
		// Prepare
		w := newWorld(t)
		clock := &fakeClock{t: t0}
		w.setFlag(t, flagJSON("7", "sess-7", t0.Add(time.Minute), 1))
		rec := w.recorder(clock, "inst-a", "7")
		h := Wrap(rec, pricingHandlerFast)
		_, _ = h(context.Background(), order{})
		clock.add(2 * time.Second)
		short, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		defer cancel()

		// Act: the invocation that ends the window has no time to spare; the next one has.
		_, _ = h(short, order{})
		afterShort := len(w.keys(t))
		_, _ = h(context.Background(), order{})

		// Assess
		if afterShort != 0 || len(w.keys(t)) != 2 {
			t.Fatalf("objects: %d after the short invocation, %d after the next", afterShort, len(w.keys(t)))
		}
	})
}

func containsFunc(names []string, suffix string) bool {
	for _, n := range names {
		if strings.HasSuffix(n, "."+suffix) {
			return true
		}
	}
	return false
}

// saveFixture writes a profile the TypeScript tests decode, when GOFN_PROFILE_FIXTURES names a
// directory (test/fixtures/profiles is made this way: see its README).
func saveFixture(t *testing.T, name string, body []byte) {
	dir := os.Getenv("GOFN_PROFILE_FIXTURES")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
		t.Fatal(err)
	}
}
