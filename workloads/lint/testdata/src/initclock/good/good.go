package good

import (
	"log/slog"
	"time"
)

var started = time.Now()

var refreshedAt = time.Now()

var bootedAt time.Time

func init() {
	bootedAt = time.Now()
}

func handle() {
	slog.Info("invocation", "uptime", time.Since(started), "initAt", started)
	age := time.Now().Sub(bootedAt)
	_ = bootedAt.Sub(started) + age
	// Refreshed at run time: a cache that expires and reloads.
	if time.Now().After(refreshedAt.Add(time.Minute)) {
		refreshedAt = time.Now()
	}
}

// StartedAt hands the value on as it is.
func StartedAt() time.Time { return started }

// clock is read per call.
func key(id string) string { return id + "#" + time.Now().Format("2006-01-02") }
