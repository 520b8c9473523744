from walletservice.plumbing.memory_cache import ByteBudgetCache


def test_least_recently_used_entries_are_evicted_past_the_byte_budget():
    cache: ByteBudgetCache[bytes] = ByteBudgetCache(10, len)
    cache.put("a", b"aaaa")
    cache.put("b", b"bbbb")
    assert cache.get("a") == b"aaaa"  # a is now the most recent
    cache.put("c", b"cccc")
    assert cache.get("b") is None
    assert cache.get("a") == b"aaaa" and cache.get("c") == b"cccc"
    assert cache.size_bytes == 8


def test_value_larger_than_the_budget_is_not_kept():
    cache: ByteBudgetCache[bytes] = ByteBudgetCache(3, len)
    cache.put("big", b"xxxx")
    assert cache.get("big") is None and len(cache) == 0


def test_replacing_a_key_keeps_the_byte_count_right():
    cache: ByteBudgetCache[bytes] = ByteBudgetCache(100, len)
    cache.put("k", b"12345")
    cache.put("k", b"12")
    assert cache.size_bytes == 2
    cache.clear()
    assert cache.size_bytes == 0 and cache.get("k") is None
