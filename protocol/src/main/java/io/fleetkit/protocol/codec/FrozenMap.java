package io.fleetkit.protocol.codec;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An ordered map that cannot change: the decoder builds it from a map only it holds ({@link Kinds#mapOf}), so a record
 * given one may keep it without the defensive copy it makes of any other map (a copy per telemetry message was a fifth of
 * the decoder's time). No public constructor: a {@code FrozenMap} is always one of these.
 */
public final class FrozenMap<K, V> extends AbstractMap<K, V> {
    private final Map<K, V> view;
    private final NamePattern keysMatched;

    /**
     * @param owned       a map no one else refers to: it is not copied
     * @param keysMatched the pattern every key was matched against
     */
    FrozenMap(LinkedHashMap<K, V> owned, NamePattern keysMatched) {
        this.view = Collections.unmodifiableMap(owned);
        this.keysMatched = keysMatched;
    }

    /**
     * Whether the decoder matched every key against this very pattern: a record checking its keys against it need not
     * match them again (a second lookup per reading name was a tenth of a telemetry decode).
     */
    public boolean keysMatched(NamePattern pattern) {
        return keysMatched == pattern;
    }

    @Override
    public int size() {
        return view.size();
    }

    @Override
    public boolean isEmpty() {
        return view.isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        return view.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return view.containsValue(value);
    }

    @Override
    public V get(Object key) {
        return view.get(key);
    }

    @Override
    public Set<K> keySet() {
        return view.keySet();
    }

    @Override
    public Collection<V> values() {
        return view.values();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return view.entrySet();
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        view.forEach(action);
    }
}
