package bad

import (
	"database/sql"
	"net"
	"net/http"
	"strings"
)

func dial(addr string, raddr *net.TCPAddr) {
	_, _ = net.Dial("tcp", addr)          // want `net.Dial without a timeout: Lambda freezes or kills the invocation before it gives up`
	_, _ = net.DialTCP("tcp", nil, raddr) // want `net.DialTCP without a timeout`
}

func fetch(url string) {
	_, _ = http.Get(url)                                                     // want `http.Get uses http.DefaultClient, which has no timeout`
	_, _ = http.DefaultClient.Post(url, "text/plain", strings.NewReader("")) // want `http.DefaultClient.Post has no timeout and takes no context`
	client := &http.Client{}                                                 // want `http.Client without a Timeout, and no request in this package carries a context`
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	_, _ = client.Do(req)
	_ = http.Client{Timeout: 0} // want `http.Client without a Timeout`
}

func query(dsn string) {
	db, _ := sql.Open("postgres", dsn) // want `sql.Open without SetConnMaxIdleTime or SetConnMaxLifetime`
	_, _ = db.Query("select 1")        // want `sql.DB.Query has no context: a query waiting on a lock`
	tx, _ := db.Begin()                // want `sql.DB.Begin has no context`
	_, _ = tx.Exec("delete from t")    // want `sql.Tx.Exec has no context`
}
