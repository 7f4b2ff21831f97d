// Intentionally empty: the wrappers are static inline in include/CSystem.h.
