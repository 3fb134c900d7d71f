package io.jrump.p2k;

import io.jrump.kern.ErrnoException;
import io.jrump.hypercall.Errno;
import io.jrump.vfs.Vnode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FUSE node ids Linux holds and the vnodes behind them, as {@code p2k} keeps one referenced vnode
 * per puffs cookie. Each id counts Linux's lookups ({@code nlookup}): every reply that hands out an
 * entry (LOOKUP, CREATE, MKNOD, MKDIR, SYMLINK, LINK, READDIRPLUS) adds one, FORGET takes them back,
 * and the vnode reference goes with the last one. Ids are never reused while the server runs, so an
 * id Linux still holds after the file was deleted and its inode number reused names the old vnode,
 * which answers as the deleted file does. The root's id is {@link FuseAbi#ROOT_ID}, never forgotten.
 */
final class NodeTable {
    private static final class Node {
        final long id;
        final Vnode vp;
        long nlookup;

        Node(long id, Vnode vp) {
            this.id = id;
            this.vp = vp;
        }
    }

    private final Map<Long, Node> byId = new HashMap<>();
    private final Map<Vnode, Node> byVnode = new IdentityHashMap<>();
    private long nextId = FuseAbi.ROOT_ID + 1;

    /** Installs the root vnode, whose reference this takes over. */
    NodeTable(Vnode root) {
        Node n = new Node(FuseAbi.ROOT_ID, root);
        n.nlookup = 1;
        byId.put(n.id, n);
        byVnode.put(root, n);
    }

    /** The vnode of {@code id}, without a new reference (the table's holds it until FORGET); EINVAL if unknown (Linux never sends one). */
    synchronized Vnode vnode(long id) throws ErrnoException {
        Node n = byId.get(id);
        if (n == null) {
            throw new ErrnoException(Errno.EINVAL, "unknown node id " + id);
        }
        return n.vp;
    }

    /**
     * The id for {@code vp}, one lookup more; takes over the caller's reference on {@code vp} (dropped
     * here if the vnode already had an id, since one reference per id is enough).
     */
    long enter(Vnode vp) {
        boolean drop;
        long id;
        synchronized (this) {
            Node n = byVnode.get(vp);
            drop = n != null;
            if (n == null) {
                n = new Node(nextId++, vp);
                byId.put(n.id, n);
                byVnode.put(vp, n);
            }
            n.nlookup++;
            id = n.id;
        }
        if (drop) {
            vp.rele();
        }
        return id;
    }

    /** One more lookup of a known id (LINK's entry for the file linked); false if the id is unknown. */
    synchronized boolean addLookup(long id) {
        Node n = byId.get(id);
        if (n == null) {
            return false;
        }
        n.nlookup++;
        return true;
    }

    /** FORGET: {@code count} lookups of {@code id} end; the last releases the vnode (run in the kernel). */
    void forget(long id, long count) {
        Vnode rele = null;
        synchronized (this) {
            Node n = byId.get(id);
            if (n == null || id == FuseAbi.ROOT_ID) {
                return;
            }
            n.nlookup -= Math.min(count, n.nlookup);
            if (n.nlookup == 0) {
                byId.remove(id);
                byVnode.remove(n.vp);
                rele = n.vp;
            }
        }
        if (rele != null) {
            rele.rele();
        }
    }

    synchronized int size() {
        return byId.size();
    }

    /** Drops every id and its reference, the root's too (the server's end, before the kernel unmounts). */
    void releaseAll() {
        List<Vnode> all;
        synchronized (this) {
            all = new ArrayList<>(byVnode.keySet());
            byId.clear();
            byVnode.clear();
        }
        for (Vnode vp : all) {
            vp.rele();
        }
    }
}
