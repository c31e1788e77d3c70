package profiling

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Flag is what the profiling parameter holds while gofn profiles a version: record on the
// instances of Version, until Until at the latest, for Seconds of each instance's time from
// when it notices. "off" (or a missing parameter) is off.
//
//	{"version":"42","until":"2026-11-26T15:07:30Z","seconds":30,"session":"p-3f2a…"}
type Flag struct {
	Version string    `json:"version"`
	Until   time.Time `json:"until"`
	Seconds int       `json:"seconds"`
	// Session names one request to profile: it is part of the object keys, so gofn collects
	// exactly that request's profiles, and an instance records once per session.
	Session string `json:"session"`
}

// MaxSeconds bounds one instance's recording, whatever the flag says.
const MaxSeconds = 300

var sessionPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// ParseFlag reads the parameter's value; ok is false when profiling is off.
func ParseFlag(raw string) (f Flag, ok bool, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "off" {
		return Flag{}, false, nil
	}
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		return Flag{}, false, fmt.Errorf("profiling flag is neither off nor JSON: %w", err)
	}
	switch {
	case f.Version == "":
		return Flag{}, false, errors.New("profiling flag names no version")
	case f.Until.IsZero():
		return Flag{}, false, errors.New("profiling flag has no until time")
	case f.Seconds < 1 || f.Seconds > MaxSeconds:
		return Flag{}, false, fmt.Errorf("profiling flag asks for %d seconds, not 1 to %d", f.Seconds, MaxSeconds)
	case !sessionPattern.MatchString(f.Session):
		return Flag{}, false, fmt.Errorf("profiling flag session %q is not 1 to 64 of [A-Za-z0-9-]", f.Session)
	}
	return f, true, nil
}

// FlagSource reads the profiling parameter's raw value: "" with no error when it does not exist.
type FlagSource interface {
	ReadFlag(ctx context.Context) (string, error)
}

// cachedFlag is the lazy, cached read of the flag: fetched on first use, then at most once per
// ttl, failures included, so an invocation pays one cached read when profiling is off, and a
// missing permission or a throttled parameter store cannot slow every invocation down.
type cachedFlag struct {
	source  FlagSource
	ttl     time.Duration
	timeout time.Duration
	now     func() time.Time

	mu      sync.Mutex
	fetched time.Time
	valid   bool
	flag    Flag
	on      bool
}

func (c *cachedFlag) get(ctx context.Context) (Flag, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.valid && now.Sub(c.fetched) < c.ttl && !now.Before(c.fetched) {
		return c.flag, c.on
	}
	fctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	raw, err := c.source.ReadFlag(fctx)
	c.fetched, c.valid, c.flag, c.on = now, true, Flag{}, false
	if err != nil {
		slog.WarnContext(ctx, "profiling flag unreadable; profiling stays off", "error", err.Error(),
			"retryInSeconds", int(c.ttl.Seconds()))
		return Flag{}, false
	}
	f, on, err := ParseFlag(raw)
	if err != nil {
		slog.WarnContext(ctx, "profiling flag invalid; profiling stays off", "error", err.Error())
		return Flag{}, false
	}
	c.flag, c.on = f, on
	return f, on
}
