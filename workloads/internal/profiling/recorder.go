// Package profiling records CPU and heap profiles on the warm instances of a Lambda function
// while a flag says so, across the real invocations they serve, and uploads them to S3 for
// gofn to merge. When the flag is off an invocation pays one cached read; profiling never fails
// a handler: its errors are logged and dropped.
package profiling

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// Uploader stores one profile.
type Uploader interface {
	Upload(ctx context.Context, key string, body []byte, metadata map[string]string) error
}

// Config names what the object keys are made of, and how the flag is read.
type Config struct {
	// Function and Version are the function's name and the version this instance runs
	// (AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_VERSION).
	Function, Version string
	// Instance identifies this execution environment (its log stream).
	Instance string
	// Prefix of every key: <prefix>/<function>/<version>/<instance>/<time>-<session>-cpu.pb.gz.
	Prefix string
	// FlagTTL is how long a read of the flag is reused. Default 30 s.
	FlagTTL time.Duration
	// FlagTimeout bounds one read of the flag. Default 500 ms.
	FlagTimeout time.Duration
	// UploadTimeout bounds the uploads at the end of a recording. Default 2 s.
	UploadTimeout time.Duration
	// Now is the clock; time.Now by default.
	Now func() time.Time
}

// Recorder turns CPU profiling on and off around invocations as the flag says.
type Recorder struct {
	cfg    Config
	flag   *cachedFlag
	upload Uploader

	mu          sync.Mutex
	current     *recording
	pending     *finished
	lastSession string
}

type recording struct {
	flag        Flag
	started     time.Time
	stopAt      time.Time
	cpu         bytes.Buffer
	invocations int
}

type finished struct {
	flag        Flag
	started     time.Time
	cpu, heap   []byte
	invocations int
	seconds     float64
	attempts    int
}

// uploadReserve is left to the invocation after the uploads: an upload that cannot fit waits
// for the next invocation.
const uploadReserve = 200 * time.Millisecond

// maxUploadAttempts: a profile that cannot be stored after this many invocations is dropped.
const maxUploadAttempts = 3

// New returns a recorder reading the flag from source and storing profiles with upload.
func New(cfg Config, source FlagSource, upload Uploader) *Recorder {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FlagTTL <= 0 {
		cfg.FlagTTL = 30 * time.Second
	}
	if cfg.FlagTimeout <= 0 {
		cfg.FlagTimeout = 500 * time.Millisecond
	}
	if cfg.UploadTimeout <= 0 {
		cfg.UploadTimeout = 2 * time.Second
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "profiles"
	}
	return &Recorder{
		cfg:    cfg,
		flag:   &cachedFlag{source: source, ttl: cfg.FlagTTL, timeout: cfg.FlagTimeout, now: cfg.Now},
		upload: upload,
	}
}

// Wrap runs r's bookkeeping around each invocation of h: before it, stop a recording whose
// time is up (an instance frozen mid-profile stops here, on its next invocation) or start one
// the flag asks for; after it, stop a recording whose time is up and upload what was recorded.
// A nil r returns h itself.
func Wrap[In, Out any](r *Recorder, h func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	if r == nil {
		return h
	}
	return func(ctx context.Context, in In) (Out, error) {
		r.Before(ctx)
		out, err := h(ctx, in)
		r.After(ctx)
		return out, err
	}
}

// Before is called as an invocation starts.
func (r *Recorder) Before(ctx context.Context) {
	defer r.recoverInto(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	if r.current != nil && !now.Before(r.current.stopAt) {
		r.stop(ctx, now)
	}
	if r.current == nil && r.pending == nil {
		if f, on := r.flag.get(ctx); on && f.Version == r.cfg.Version && now.Before(f.Until) && f.Session != r.lastSession {
			r.start(ctx, f, now)
		}
	}
	if r.current != nil {
		r.current.invocations++
	}
}

// After is called when the handler has returned.
func (r *Recorder) After(ctx context.Context) {
	defer r.recoverInto(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	if r.current != nil && !now.Before(r.current.stopAt) {
		r.stop(ctx, now)
	}
	if r.pending != nil {
		r.store(ctx)
	}
}

// Recording reports whether a CPU profile is being recorded.
func (r *Recorder) Recording() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current != nil
}

func (r *Recorder) start(ctx context.Context, f Flag, now time.Time) {
	// Whatever happens, this session is handled once on this instance.
	r.lastSession = f.Session
	rec := &recording{flag: f, started: now, stopAt: now.Add(time.Duration(f.Seconds) * time.Second)}
	if f.Until.Before(rec.stopAt) {
		rec.stopAt = f.Until
	}
	if err := pprof.StartCPUProfile(&rec.cpu); err != nil {
		slog.WarnContext(ctx, "profiling could not start", "session", f.Session, "error", err.Error())
		return
	}
	r.current = rec
	slog.InfoContext(ctx, "profiling started", "session", f.Session, "stopAt", rec.stopAt.UTC().Format(time.RFC3339))
}

func (r *Recorder) stop(ctx context.Context, now time.Time) {
	rec := r.current
	r.current = nil
	pprof.StopCPUProfile()
	// A collection first, so the heap profile is the live heap as of now, not of the last GC.
	runtime.GC()
	var heap bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&heap, 0); err != nil {
		slog.WarnContext(ctx, "heap profile failed", "session", rec.flag.Session, "error", err.Error())
	}
	r.pending = &finished{
		flag: rec.flag, started: rec.started, cpu: rec.cpu.Bytes(), heap: heap.Bytes(),
		invocations: rec.invocations, seconds: now.Sub(rec.started).Seconds(),
	}
}

// store uploads the finished profiles if the invocation has time left, and drops them on failure.
func (r *Recorder) store(ctx context.Context) {
	p := r.pending
	timeout := r.cfg.UploadTimeout
	if deadline, ok := ctx.Deadline(); ok {
		if left := time.Until(deadline) - uploadReserve; left < timeout {
			timeout = left
		}
	}
	p.attempts++
	if timeout < 100*time.Millisecond {
		if p.attempts >= maxUploadAttempts {
			r.pending = nil
			slog.WarnContext(ctx, "profile dropped: no invocation had time to upload it", "session", p.flag.Session)
		}
		return
	}
	r.pending = nil
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	base := fmt.Sprintf("%s/%s/%s/%s/%s-%s", r.cfg.Prefix, r.cfg.Function, r.cfg.Version, r.cfg.Instance,
		p.started.UTC().Format("20060102T150405Z"), p.flag.Session)
	meta := map[string]string{
		"session":     p.flag.Session,
		"invocations": fmt.Sprint(p.invocations),
		"seconds":     fmt.Sprintf("%.1f", p.seconds),
	}
	for _, part := range []struct {
		kind string
		body []byte
	}{{"cpu", p.cpu}, {"heap", p.heap}} {
		if len(part.body) == 0 {
			continue
		}
		key := base + "-" + part.kind + ".pb.gz"
		if err := r.upload.Upload(uctx, key, part.body, meta); err != nil {
			slog.WarnContext(ctx, "profile upload failed; the profile is dropped", "key", key, "error", err.Error())
			return
		}
		slog.InfoContext(ctx, "profile uploaded", "key", key, "bytes", len(part.body), "invocations", p.invocations)
	}
}

// recoverInto keeps a bug in profiling from failing the invocation.
func (r *Recorder) recoverInto(ctx context.Context) {
	if v := recover(); v != nil {
		slog.WarnContext(ctx, "profiling failed", "panic", fmt.Sprint(v))
	}
}
