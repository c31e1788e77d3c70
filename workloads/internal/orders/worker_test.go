package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// fakeStore saves orders in memory and fails the ids listed in failIDs.
type fakeStore struct {
	failIDs    map[string]error
	saved      []Order
	noDeadline bool
}

func (f *fakeStore) SaveOrder(ctx context.Context, o Order) error {
	if _, ok := ctx.Deadline(); !ok {
		f.noDeadline = true
	}
	if err := f.failIDs[o.ID]; err != nil {
		return err
	}
	f.saved = append(f.saved, o)
	return nil
}

func workerWith(s *fakeStore) *Worker {
	return &Worker{Orders: func() (Saver, error) { return s, nil }}
}

func orderBody(id string) string {
	return fmt.Sprintf(`{"orderId":%q,"customerId":"c-1","totalCents":1250}`, id)
}

func message(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs"}
}

func failedIDs(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestHandleAllSucceed(t *testing.T) {
	s := &fakeStore{}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		message("m1", orderBody("o-1")),
		message("m2", orderBody("o-2")),
	}}

	resp, err := workerWith(s).Handle(context.Background(), ev)

	if err != nil {
		t.Fatal(err)
	}
	if resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
		t.Errorf("failures = %#v, want an empty list", resp.BatchItemFailures)
	}
	if len(s.saved) != 2 || s.saved[0].ID != "o-1" || s.saved[1].ID != "o-2" {
		t.Errorf("saved = %+v", s.saved)
	}
	if s.saved[0] != (Order{ID: "o-1", CustomerID: "c-1", TotalCents: 1250}) {
		t.Errorf("decoded = %+v", s.saved[0])
	}
	if s.noDeadline {
		t.Error("SaveOrder got a context without a deadline")
	}
}

func TestHandleReportsExactlyTheFailedMessages(t *testing.T) {
	s := &fakeStore{failIDs: map[string]error{
		"o-2": errors.New("ProvisionedThroughputExceededException"),
		"o-4": context.DeadlineExceeded,
	}}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		message("m1", orderBody("o-1")),
		message("m2", orderBody("o-2")),
		message("m3", orderBody("o-3")),
		message("m4", orderBody("o-4")),
		message("m5", orderBody("o-5")),
	}}

	resp, err := workerWith(s).Handle(context.Background(), ev)

	if err != nil {
		t.Fatal(err)
	}
	if got, want := failedIDs(resp), []string{"m2", "m4"}; !slices.Equal(got, want) {
		t.Errorf("failures = %v, want %v", got, want)
	}
	if len(s.saved) != 3 {
		t.Errorf("saved %d orders, want 3 (a failure must not stop the batch)", len(s.saved))
	}
}

func TestHandleMalformedBodiesFail(t *testing.T) {
	bodies := map[string]string{
		"not json":         "hello",
		"empty":            "",
		"array":            `[1,2]`,
		"null":             "null",
		"truncated":        `{"orderId":"o-1"`,
		"trailing data":    orderBody("o-1") + `{}`,
		"missing orderId":  `{"customerId":"c-1","totalCents":1}`,
		"missing customer": `{"orderId":"o-1","totalCents":1}`,
		"bad id":           `{"orderId":"o 1","customerId":"c-1","totalCents":1}`,
		"negative total":   `{"orderId":"o-1","customerId":"c-1","totalCents":-5}`,
		"total not number": `{"orderId":"o-1","customerId":"c-1","totalCents":"5"}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			s := &fakeStore{}
			ev := events.SQSEvent{Records: []events.SQSMessage{
				message("good-1", orderBody("o-a")),
				message("bad", body),
				message("good-2", orderBody("o-b")),
			}}

			resp, err := workerWith(s).Handle(context.Background(), ev)

			if err != nil {
				t.Fatal(err)
			}
			if got := failedIDs(resp); !slices.Equal(got, []string{"bad"}) {
				t.Errorf("failures = %v, want [bad]", got)
			}
			if len(s.saved) != 2 {
				t.Errorf("saved %d, want the 2 good orders", len(s.saved))
			}
		})
	}
}

func TestParseOrderAcceptsUnknownFields(t *testing.T) {
	o, err := ParseOrder(`{"orderId":"o-1","customerId":"c-1","totalCents":0,"currency":"EUR"}`)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "o-1" {
		t.Errorf("order = %+v", o)
	}
}

func TestParseOrderMarksMalformed(t *testing.T) {
	if _, err := ParseOrder("{"); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

func TestHandleFIFOGroupStopsAfterAFailure(t *testing.T) {
	s := &fakeStore{failIDs: map[string]error{"o-1": errors.New("boom")}}
	fifo := func(id, group, order string) events.SQSMessage {
		m := message(id, orderBody(order))
		m.Attributes = map[string]string{"MessageGroupId": group}
		return m
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		fifo("m1", "g1", "o-1"),
		fifo("m2", "g2", "o-2"),
		fifo("m3", "g1", "o-3"),
	}}

	resp, err := workerWith(s).Handle(context.Background(), ev)

	if err != nil {
		t.Fatal(err)
	}
	if got, want := failedIDs(resp), []string{"m1", "m3"}; !slices.Equal(got, want) {
		t.Errorf("failures = %v, want %v (m3 is in m1's group)", got, want)
	}
}

func TestHandleOutOfTimeLeavesTheRest(t *testing.T) {
	s := &fakeStore{}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	ev := events.SQSEvent{Records: []events.SQSMessage{message("m1", orderBody("o-1")), message("m2", orderBody("o-2"))}}

	resp, err := workerWith(s).Handle(ctx, ev)

	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); !slices.Equal(got, []string{"m1", "m2"}) {
		t.Errorf("failures = %v, want both", got)
	}
	if len(s.saved) != 0 {
		t.Errorf("saved %d orders after the deadline", len(s.saved))
	}
}

func TestHandleStoreConfigErrorFailsTheBatch(t *testing.T) {
	cause := errors.New("ORDERS_TABLE is not set")
	w := &Worker{Orders: func() (Saver, error) { return nil, cause }}

	_, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{message("m1", orderBody("o-1"))}})

	if !errors.Is(err, cause) {
		t.Fatalf("err = %v, want the configuration error", err)
	}
}

func TestHandleEmptyBatch(t *testing.T) {
	w := &Worker{Orders: func() (Saver, error) { t.Fatal("no store needed for an empty batch"); return nil, nil }}

	resp, err := w.Handle(context.Background(), events.SQSEvent{})

	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("got %+v, %v", resp, err)
	}
}

// fakeTracer records which messages were traced and how each ended.
type fakeTracer struct{ ended map[string]error }

func (f *fakeTracer) StartMessage(ctx context.Context, msg events.SQSMessage) (context.Context, func(error)) {
	return ctx, func(err error) { f.ended[msg.MessageId] = err }
}

func TestHandleTracesEachAttemptedMessageWithItsOutcome(t *testing.T) {
	// Prepare
	s := &fakeStore{failIDs: map[string]error{"o-2": errors.New("ThrottlingException")}}
	tracer := &fakeTracer{ended: map[string]error{}}
	w := workerWith(s)
	w.Messages = tracer
	ev := events.SQSEvent{Records: []events.SQSMessage{
		message("m1", orderBody("o-1")),
		message("m2", orderBody("o-2")),
		message("m3", "{not json"),
	}}

	// Act
	if _, err := w.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}

	// Assess
	if len(tracer.ended) != 3 || tracer.ended["m1"] != nil {
		t.Fatalf("traced %v; want m1 ok and m2, m3 failed", tracer.ended)
	}
	if err := tracer.ended["m2"]; err == nil || !strings.Contains(err.Error(), "ThrottlingException") {
		t.Errorf("m2 ended with %v", err)
	}
	if err := tracer.ended["m3"]; !errors.Is(err, ErrMalformed) {
		t.Errorf("m3 ended with %v, want a malformed order", err)
	}
}
