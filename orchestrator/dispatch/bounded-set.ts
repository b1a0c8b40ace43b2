/** A set that forgets its oldest members (insertion order) once it holds more than `limit`. */
export class BoundedSet<T> {
  private readonly items = new Set<T>();

  constructor(private readonly limit: number) {}

  add(item: T): void {
    this.items.add(item);
    if (this.items.size <= this.limit) return;
    const oldest = this.items.values().next();
    if (oldest.done !== true) this.items.delete(oldest.value);
  }

  /** True when `item` was a member. */
  delete(item: T): boolean {
    return this.items.delete(item);
  }

  get size(): number {
    return this.items.size;
  }
}
