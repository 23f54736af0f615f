package dev.jameslmtp.smtp;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.lib.Mappings;
import org.apache.james.user.api.UsersRepository;

/**
 * What James itself knows about a recipient, asked before the store is: whether its domain is one
 * of James's own (domainlist), and whether James already knows the address as a user or as a
 * recipient rewrite (alias, forward, group, or an error mapping), as James's
 * {@code ValidRcptHandler} does. Such recipients are left to James's chain: the hook never probes
 * them.
 */
interface JamesRecipients {

    boolean isLocalDomain(Domain domain) throws Exception;

    boolean isKnown(MailAddress recipient) throws Exception;

    static JamesRecipients of(DomainList domains, UsersRepository users, RecipientRewriteTable rewrites) {
        return new JamesRecipients() {
            @Override
            public boolean isLocalDomain(Domain domain) throws Exception {
                return domains.containsDomain(domain);
            }

            @Override
            public boolean isKnown(MailAddress recipient) throws Exception {
                if (users.contains(users.getUsername(recipient))) {
                    return true;
                }
                try {
                    Mappings mappings = rewrites.getResolvedMappings(recipient.getLocalPart(), recipient.getDomain());
                    return !mappings.isEmpty();
                } catch (RecipientRewriteTable.ErrorMappingException e) {
                    return true;
                }
            }
        };
    }
}
