import type { CustomerStore } from '../ports.js';
import { customerFromItem, type Customer } from '../records.js';

/** The customer as they are now; undefined while their profile has not arrived (nothing can be timed without their zone). */
export const currentCustomer = async (customers: CustomerStore, customerId: string, now: Date): Promise<Customer | undefined> => {
  const profile = (await customers.getProfiles([customerId])).get(customerId);
  return profile === undefined ? undefined : customerFromItem(profile, now);
};
