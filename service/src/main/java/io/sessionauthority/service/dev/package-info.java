/**
 * The development jar only: a throw-away embedded Redis when {@code REDIS_URI} is unset. Never in
 * the production jar or the image.
 */
package io.sessionauthority.service.dev;
