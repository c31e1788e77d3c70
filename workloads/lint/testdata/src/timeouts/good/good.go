package good

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"time"
)

func dial(ctx context.Context, addr string) {
	d := net.Dialer{Timeout: 2 * time.Second}
	_, _ = d.DialContext(ctx, "tcp", addr)
	_, _ = net.DialTimeout("tcp", addr, time.Second)
	// A UDP "dial" only binds a socket: it never waits for the peer.
	_, _ = net.Dial("udp", "127.0.0.1:2000")
	// A Unix socket is local: refused at once when nobody listens.
	_, _ = net.Dial("unix", "/tmp/agent.sock")
}

func fetch(ctx context.Context, url string) {
	bounded := &http.Client{Timeout: 5 * time.Second}
	_, _ = bounded.Get(url)
	// No client Timeout, but every request carries the invocation's context.
	plain := &http.Client{}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	_, _ = plain.Do(req)
}

func query(ctx context.Context, dsn string) {
	db, _ := sql.Open("postgres", dsn)
	db.SetConnMaxIdleTime(time.Minute)
	_, _ = db.QueryContext(ctx, "select 1")
	_ = db.PingContext(ctx)
}
