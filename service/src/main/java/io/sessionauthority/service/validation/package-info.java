/**
 * The plain checks, ids and user-bound token formats that the domain's services share.
 */
package io.sessionauthority.service.validation;
