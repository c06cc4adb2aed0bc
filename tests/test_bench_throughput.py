"""bench/throughput.py's arithmetic: reading wrk's output, the medians, the ratios and the targets.

Pure functions only: no server, no wrk, no database.
"""

from __future__ import annotations

import math

import pytest

from bench.throughput import (
    API_SEARCHES,
    FLOOR,
    HOLD_CYCLE,
    PATIENTS,
    PROVIDER_PAGE,
    SEARCH_PAGE,
    Row,
    WrkResult,
    busy_connections,
    check_targets,
    default_database_url,
    format_table,
    hold_script,
    interleaved_slots,
    parse_duration_ms,
    parse_wrk,
    rotated,
    summarise,
    with_ratios,
)

# What `wrk --latency` printed against a local server answering 404.
WRK_404 = """\
Running 1s test @ http://127.0.0.1:18765/nonexistent
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.14ms    6.40ms  54.62ms   94.03%
    Req/Sec     1.16k   418.78     1.51k    80.00%
  Latency Distribution
     50%    1.37ms
     75%    2.05ms
     90%    5.03ms
     99%   39.40ms
  2302 requests in 1.01s, 1.14MB read
  Non-2xx or 3xx responses: 2302
Requests/sec:   2283.27
Transfer/sec:      1.13MB
"""

# A slower run with socket errors, and the lines the hold script's done() adds.
WRK_HOLD = """\
Running 20s test @ http://127.0.0.1:40000/api/v1/bookings/hold/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   210.50ms  120.02ms   1.52s    71.00%
    Req/Sec    38.10     12.00    70.00     66.00%
  Latency Distribution
     50%  812.00us
     75%  250.00ms
     90%  400.00ms
     99%    1.02s
  1520 requests in 20.02s, 2.10MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:     75.92
Transfer/sec:    107.40KB
bench-status 201 760
bench-status 200 753
bench-status 409 5
bench-status 500 2
bench-code slot_taken 5
bench-code http_500 2
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("812.00us", 0.812), ("1.37ms", 1.37), ("1.02s", 1020.0), ("1.50m", 90_000.0), ("3h", 10_800_000.0)],
)
def test_durations_are_read_in_milliseconds(text, expected):
    assert parse_duration_ms(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "12", "1.2 parsecs", "ms"])
def test_a_duration_that_is_not_wrks_is_refused(text):
    with pytest.raises(ValueError, match="not a wrk duration"):
        parse_duration_ms(text)


def test_wrk_output_gives_rate_percentiles_and_failures():
    result = parse_wrk(WRK_404)
    assert result.requests_per_s == pytest.approx(2283.27)
    assert result.p50_ms == pytest.approx(1.37)
    assert result.p99_ms == pytest.approx(39.40)
    assert result.requests == 2302
    assert result.non_2xx == 2302
    assert result.socket_errors == 0
    assert result.statuses == {}


def test_the_hold_scripts_counts_are_read_beside_wrks_own():
    result = parse_wrk(WRK_HOLD)
    assert result.p50_ms == pytest.approx(0.812)
    assert result.p99_ms == pytest.approx(1020.0)
    assert result.socket_errors == 3
    assert result.statuses == {"201": 760, "200": 753, "409": 5, "500": 2}
    assert result.codes == {"slot_taken": 5, "http_500": 2}


def test_output_without_the_latency_distribution_is_refused():
    without = "\n".join(line for line in WRK_404.splitlines() if "%" not in line or "Stdev" in line)
    with pytest.raises(ValueError, match="--latency"):
        parse_wrk(without)


def _result(rate: float, p50: float, p99: float, **kwargs) -> WrkResult:
    return WrkResult(requests_per_s=rate, p50_ms=p50, p99_ms=p99, requests=int(rate * 20), **kwargs)


def test_a_url_is_summed_up_by_the_medians_of_its_passes():
    row = summarise("x", [_result(100, 10, 30), _result(300, 50, 90), _result(120, 12, 40), _result(90, 11, 35)])
    assert row.requests_per_s == 110  # the median of four: the mean of the middle two
    assert row.p50_ms == 11.5
    assert row.p99_ms == 37.5
    assert (row.conflicts, row.errors) == (0, 0)


def test_get_errors_are_wrks_non_2xx_and_socket_errors_of_every_pass():
    row = summarise("x", [_result(100, 10, 30, non_2xx=3), _result(100, 10, 30, socket_errors=2)])
    assert (row.conflicts, row.errors) == (0, 5)


def test_the_holds_conflicts_are_counted_apart_from_its_errors():
    runs = [parse_wrk(WRK_HOLD), parse_wrk(WRK_HOLD)]
    row = summarise(HOLD_CYCLE, runs)
    assert row.conflicts == 10
    assert row.errors == 2 * (2 + 3)  # the 500s and the socket errors, not the 409s


def _rows(**rates: float) -> list[Row]:
    """Rows with these requests per second (p99 = 2 × p50, no errors), the floor at 1000."""
    names = {FLOOR: 1000.0, **dict.fromkeys(API_SEARCHES, 400.0), SEARCH_PAGE: 300.0, PROVIDER_PAGE: 300.0}
    names.update(rates)
    return with_ratios([Row(name, rate, 10.0, 20.0, 0, 0) for name, rate in names.items()])


def test_the_ratio_is_the_floors_rate_over_the_urls():
    rows = {row.name: row for row in _rows()}
    assert rows[FLOOR].ratio == 1.0
    assert rows[API_SEARCHES[0]].ratio == 2.5
    assert rows[SEARCH_PAGE].ratio == pytest.approx(3.333, abs=0.001)


def test_a_url_answering_nothing_is_infinitely_below_the_floor():
    rows = with_ratios([Row(FLOOR, 1000.0, 1, 2, 0, 0), Row(SEARCH_PAGE, 0.0, 1, 2, 0, 0)])
    assert math.isinf(rows[1].ratio)
    assert check_targets(rows)


def test_targets_met():
    assert check_targets(_rows()) == []


def test_a_search_api_below_a_quarter_of_the_floor_misses():
    exactly = {row.name: row for row in _rows(**{API_SEARCHES[1]: 250.0})}
    assert check_targets(list(exactly.values())) == []  # 1/4 is the target itself
    missed = check_targets(_rows(**{API_SEARCHES[1]: 240.0}))
    assert len(missed) == 1
    assert missed[0].startswith(API_SEARCHES[1])


@pytest.mark.parametrize("name", [SEARCH_PAGE, PROVIDER_PAGE])
def test_a_page_below_a_fifth_of_the_floor_misses(name):
    assert check_targets(_rows(**{name: 200.0})) == []
    missed = check_targets(_rows(**{name: 190.0}))
    assert len(missed) == 1
    assert missed[0].startswith(name)


def test_a_search_whose_p99_is_over_four_times_its_p50_misses():
    rows = [*_rows()]
    rows = [Row(r.name, r.requests_per_s, 10.0, 41.0 if r.name == SEARCH_PAGE else 40.0, 0, 0, r.ratio) for r in rows]
    missed = check_targets(rows)
    assert len(missed) == 1
    assert "p99 41 ms is 4.1×" in missed[0]


def test_the_floors_and_the_provider_pages_tails_are_not_targets():
    rows = [Row(r.name, r.requests_per_s, 10.0, 100.0 if r.name in (FLOOR, PROVIDER_PAGE) else 20.0, 0, 0, r.ratio)
            for r in _rows()]  # fmt: skip
    assert check_targets(rows) == []


def test_errors_miss_but_the_holds_conflicts_do_not():
    rows = [*_rows(), Row(HOLD_CYCLE, 50.0, 100.0, 200.0, conflicts=12, errors=0, ratio=20.0)]
    assert check_targets(rows) == []
    rows[-1] = Row(HOLD_CYCLE, 50.0, 100.0, 200.0, conflicts=12, errors=1, ratio=20.0)
    assert check_targets(rows) == [f"{HOLD_CYCLE}: 1 answers were errors (neither 2xx nor a 409 conflict)"]


def test_each_pass_starts_one_url_further():
    urls = ["a", "b", "c"]
    assert [rotated(urls, turn) for turn in range(4)] == [
        ["a", "b", "c"],
        ["b", "c", "a"],
        ["c", "a", "b"],
        ["a", "b", "c"],
    ]
    assert rotated([], 3) == []


def test_the_table_shows_each_url_with_its_figures():
    table = format_table(_rows(), {FLOOR: "/healthz", SEARCH_PAGE: "/search/?q=hip"})
    lines = table.splitlines()
    assert lines[2] == "| `/healthz` (the floor) | 1000 | 10 / 20 | 1.0× | 0 | 0 |"
    assert "| `/search/?q=hip` | 300 | 10 / 20 | 3.3× | 0 | 0 |" in lines


def test_slots_take_every_offerings_first_slot_before_any_second():
    slots = interleaved_slots([["a1", "a2"], ["b1", "b2"], ["c1"]], [1, 2, 3], count=10)
    assert slots == [(1, "a1"), (2, "b1"), (3, "c1"), (1, "a2"), (2, "b2")]


def test_the_number_of_slots_shares_no_factor_with_the_number_of_patients():
    offerings = list(range(1, 2 * PATIENTS + 1))
    slots = interleaved_slots([["s1", "s2"]] * len(offerings), offerings, count=2 * PATIENTS)
    assert len(slots) == 2 * PATIENTS - 1  # 2 × 97 shares 97 with 97 patients: one slot fewer
    assert math.gcd(len(slots), PATIENTS) == 1


def test_the_hold_script_carries_the_tokens_and_slots_as_lua_values():
    script = hold_script(['mbk_a"b', "mbk_c"], [(7, "2026-12-10T09:00:00+01:00"), (9, "2026-12-11T10:30:00+00:00")])
    assert 'local tokens = {"mbk_a\\"b", "mbk_c"}' in script
    assert 'local slots = {{7, "2026-12-10T09:00:00+01:00"}, {9, "2026-12-11T10:30:00+00:00"}}' in script
    # Python's %-formatting is done: Lua's own patterns and formats are left whole.
    assert "%(" not in script
    assert "%%" not in script
    assert """body:match('"id":(%d+)')""" in script
    assert 'string.format("bench-%d-%d-%d", offset, id, n)' in script


def test_each_size_has_its_own_database_by_default():
    assert default_database_url(10_000).endswith("/medibroker_bench_throughput")
    assert default_database_url(100_000).endswith("/medibroker_bench_throughput_100k")
    assert default_database_url(1_500).endswith("/medibroker_bench_throughput_1500")


# /proc/net/tcp with the server listening on 127.0.0.1:40000 (0x9C40): a connection it is serving
# (01), one whose client has gone (08), one it closed (06, TIME_WAIT), and wrk's end of a connection
# (its own port, the server's as the remote one), which is not the server's work.
PROC_NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9C40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:9C40 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
   2: 0100007F:9C40 0100007F:D432 08 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
   3: 0100007F:9C40 0100007F:D433 06 00000000:00000000 03:00000F9E 00000000     0        0 0 3 0
   4: 0100007F:D434 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 5 1 0 20 4 30 10 -1
"""


def test_the_connections_the_server_has_not_finished_are_counted():
    assert busy_connections(PROC_NET_TCP, 40000) == 2
    assert busy_connections(PROC_NET_TCP, 40001) == 0
